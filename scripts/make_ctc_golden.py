#!/usr/bin/python3
"""Writes tests/nn/golden/ctc_loss_torch.txt: torch.nn.functional.ctc_loss fixtures for CtcLoss.

Random log_softmax inputs over several (T, V, labels) cases, including repeated labels, T just
long enough (T = L + adjacent repeats), a non-zero blank, empty labels and T too short (inf).
The loss is computed in float64 from the float32 values written, reduction='none',
zero_infinity=False; the posteriors are exp(log_probs) - d(loss)/d(log_probs) (torch's CTC
gradient assumes normalised inputs). Format: line 1 the number of cases; per case the lines
"T V blank L", the labels, the T*V log-probs (row-major), the loss ("inf" if no path), and the
T*V posteriors (omitted when the loss is inf). Run: /usr/bin/python3 scripts/make_ctc_golden.py
"""
import os

import torch

CASES = [  # (T, V, blank, labels or an int = random length)
    (1, 2, 0, [1]),
    (5, 4, 0, [1, 2, 3]),
    (4, 5, 0, [1, 1, 2]),  # just long enough: 3 labels + 1 repeat
    (12, 6, 0, [2, 2, 2, 3]),
    (7, 6, 5, [0, 0, 4, 1]),  # blank is the last index
    (3, 3, 0, []),
    (20, 10, 0, 6),
    (50, 29, 0, 15),
    (2, 4, 0, [1, 1]),  # too short: needs 3 frames
]


def fmt(values):
    return " ".join(f"{float(v):.9g}" for v in values)


def main():
    gen = torch.Generator().manual_seed(20261122)
    lines = [str(len(CASES))]
    for t, v, blank, labels in CASES:
        if isinstance(labels, int):
            symbols = [s for s in range(v) if s != blank]
            idx = torch.randint(len(symbols), (labels,), generator=gen)
            labels = [symbols[i] for i in idx.tolist()]
        logits = 2.0 * torch.randn(t, v, generator=gen)
        lp32 = torch.log_softmax(logits, dim=-1).float()
        lp = lp32.double().clone().requires_grad_(True)
        loss = torch.nn.functional.ctc_loss(
            lp.unsqueeze(1), torch.tensor([labels], dtype=torch.long).reshape(1, -1),
            torch.tensor([t]), torch.tensor([len(labels)]), blank=blank, reduction="none",
            zero_infinity=False)
        lines.append(f"{t} {v} {blank} {len(labels)}")
        lines.append(fmt(labels))
        lines.append(fmt(lp32.flatten()))
        value = loss.item()
        if value == float("inf"):
            lines.append("inf")
            continue
        lines.append(f"{value:.17g}")
        loss.sum().backward()
        posteriors = lp.detach().exp() - lp.grad
        lines.append(" ".join(f"{float(p):.12g}" for p in posteriors.flatten()))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "nn", "golden",
                       "ctc_loss_torch.txt")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
