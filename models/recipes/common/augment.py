"""Data augmentation for the auris recipes (issue #3).

Everything works on 16 kHz mono float32 numpy arrays and is deterministic given a
`numpy.random.Generator` (or an int seed, turned into one with `default_rng`):

* `add_noise`            mix noise at an exact SNR (power over the whole clip);
* `coloured_noise`       white / pink (1/f) / brown (1/f^2) / blue (f) / violet (f^2);
* `babble`               k pre-synthesised utterances summed at equal RMS;
* `reverb_sox`           sox `reverb` (through pipes), `reverb_rir` pure-numpy fallback;
* `speed_perturb`        Kaldi-style speed perturbation (length and pitch change);
* `apply_gain`, `vtlp`, `telephone`, `reframe_edges` (leading/trailing silence);
* `sample_masks` / `apply_masks` / `spec_augment` (+ `spec_augment_torch`) on (T, F);
* `Augmenter`            the above with probabilities from a config dict, seeded per
                         utterance from (base_seed, index, epoch), so `--resume` replays
                         exactly the same augmentation.
"""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction

import numpy as np
from scipy import signal

SAMPLE_RATE = 16000
_EPS = 1e-12


def as_rng(rng=None) -> np.random.Generator:
    """A Generator from a Generator, an int / SeedSequence seed, or None (seed 0)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(0 if rng is None else rng)


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32).ravel()


def _power(x) -> float:
    x = np.asarray(x, dtype=np.float64)
    return float(np.mean(x * x)) if x.size else 0.0


def rms(x) -> float:
    return float(np.sqrt(_power(x)))


def snr_db(clean, noise) -> float:
    """10 log10(P_clean / P_noise), powers over the whole clip."""
    return float(10 * np.log10((_power(clean) + _EPS) / (_power(noise) + _EPS)))


def fit_length(x, n: int, rng=None, random_offset: bool = True) -> np.ndarray:
    """A length-n segment of x: random crop if longer, cyclic tiling from a random
    start if shorter (so short noises cover the whole clip)."""
    x = np.asarray(x)
    if x.size == 0:
        raise ValueError("empty signal")
    rng = as_rng(rng)
    start = int(rng.integers(0, len(x))) if random_offset else 0
    if len(x) >= n:
        start = int(rng.integers(0, len(x) - n + 1)) if random_offset else 0
        return x[start:start + n].copy()
    idx = (start + np.arange(n)) % len(x)
    return x[idx]


# --------------------------------------------------------------------------- noise
def add_noise(clean, noise, snr_db: float, rng=None, return_noise: bool = False):
    """clean + a random segment of noise (tiled if short) scaled so that
    10 log10(P_clean / P_noise) = snr_db exactly (powers over the whole clip).

    A silent clean or noise clip is returned unchanged (SNR undefined)."""
    clean = _f32(clean)
    seg = fit_length(_f32(noise), len(clean), rng).astype(np.float64)
    pc, pn = _power(clean), _power(seg)
    if pc <= 0 or pn <= 0:
        scaled = np.zeros_like(clean)
    else:
        scaled = (seg * np.sqrt(pc / (pn * 10.0 ** (snr_db / 10.0)))).astype(np.float32)
    mix = clean + scaled
    return (mix, scaled) if return_noise else mix


NOISE_EXPONENTS = {"white": 0.0, "pink": -1.0, "brown": -2.0, "red": -2.0,
                   "blue": 1.0, "violet": 2.0}


def coloured_noise(n: int, colour: str = "white", rng=None, level: float = 1.0) -> np.ndarray:
    """Gaussian noise with power spectral density proportional to f^beta (white 0,
    pink -1 i.e. -3 dB/octave, brown -2 i.e. -6 dB/octave, blue +1, violet +2), made by
    shaping white noise in the frequency domain (DC removed); RMS = level."""
    try:
        beta = NOISE_EXPONENTS[colour]
    except KeyError:
        raise ValueError(f"unknown noise colour {colour!r}") from None
    rng = as_rng(rng)
    if n <= 0:
        return np.zeros(0, np.float32)
    white = rng.standard_normal(n)
    if beta == 0.0:
        x = white
    else:
        spec = np.fft.rfft(white)
        f = np.fft.rfftfreq(n)
        scale = np.zeros_like(f)
        scale[1:] = f[1:] ** (beta / 2.0)
        x = np.fft.irfft(spec * scale, n)
    x = x - x.mean()
    return (x * (level / (rms(x) + _EPS))).astype(np.float32)


def white_noise(n, rng=None, level=1.0):
    return coloured_noise(n, "white", rng, level)


def pink_noise(n, rng=None, level=1.0):
    return coloured_noise(n, "pink", rng, level)


def brown_noise(n, rng=None, level=1.0):
    return coloured_noise(n, "brown", rng, level)


def blue_noise(n, rng=None, level=1.0):
    return coloured_noise(n, "blue", rng, level)


def babble(voices, n: int, rng=None, k: int | None = None, k_range=(3, 7),
           level: float = 1.0) -> np.ndarray:
    """Babble of length n: k utterances (chosen from `voices`, a list of already
    synthesised 16 kHz arrays; with replacement if k > len(voices)) each normalised to
    the same RMS, each cyclically tiled from a random offset, summed; RMS = level.
    k defaults to a random integer in k_range (inclusive)."""
    rng = as_rng(rng)
    voices = [v for v in voices if len(v) and rms(v) > 0]
    if not voices:
        raise ValueError("babble needs at least one non-silent utterance")
    if k is None:
        k = int(rng.integers(k_range[0], k_range[1] + 1))
    picks = rng.choice(len(voices), size=k, replace=k > len(voices))
    out = np.zeros(n, np.float64)
    for i in picks:
        v = np.asarray(voices[i], np.float64)
        out += fit_length(v / rms(v), n, rng)
    return (out * (level / (rms(out) + _EPS))).astype(np.float32)


# --------------------------------------------------------------------------- reverb
def have_sox() -> bool:
    return shutil.which("sox") is not None


def reverb_sox(x, reverberance: float = 50.0, hf_damping: float = 50.0,
               room_scale: float = 100.0, pre_delay_ms: float = 0.0,
               keep_tail: bool = False, tail_s: float = 1.0,
               sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """`sox ... reverb <reverberance> <hf-damping> <room-scale> 100 <pre-delay>` through
    pipes (raw float32). The output has the input's length (the reverb tail is cut),
    or len(x) + tail_s seconds with keep_tail=True. The input is scaled to peak 0.5
    before sox (which clips at full scale) and the output scaled back."""
    x = _f32(x)
    if len(x) == 0:
        return x.copy()
    peak = float(np.max(np.abs(x)))
    if peak == 0:
        return np.zeros(len(x) + (int(round(tail_s * sample_rate)) if keep_tail else 0),
                        np.float32)
    scale = 0.5 / peak
    fmt = ["-t", "raw", "-e", "floating-point", "-b", "32", "-r", str(sample_rate),
           "-c", "1", "-L"]
    cmd = (["sox", "-V1", "-D"] + fmt + ["-"] + fmt + ["-"])
    if keep_tail:
        cmd += ["pad", "0", f"{tail_s:g}"]
    cmd += ["reverb", f"{reverberance:g}", f"{hf_damping:g}", f"{room_scale:g}", "100",
            f"{pre_delay_ms:g}"]
    data = (x * scale).astype("<f4").tobytes()
    proc = subprocess.run(cmd, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"sox failed: {proc.stderr.decode(errors='replace').strip()}")
    y = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32) / scale
    want = len(x) + (int(round(tail_s * sample_rate)) if keep_tail else 0)
    if len(y) < want:
        y = np.concatenate([y, np.zeros(want - len(y), np.float32)])
    return y[:want]


def synthetic_rir(rt60: float, rng=None, sample_rate: int = SAMPLE_RATE,
                  direct: float = 1.0) -> np.ndarray:
    """Exponentially decaying Gaussian-noise room impulse response: amplitude falls 60 dB
    in rt60 seconds; length rt60 (at least 1 ms); a direct-path impulse of height
    `direct` relative to the unit-energy reverberant part. Normalised to unit energy."""
    rng = as_rng(rng)
    n = max(int(round(rt60 * sample_rate)), 16)
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-3.0 * np.log(10.0) * t / max(rt60, 1e-4))
    tail /= np.sqrt(np.sum(tail ** 2)) + _EPS
    h = tail
    h[0] = direct
    return h / np.sqrt(np.sum(h ** 2))


def reverb_rir(x, rt60: float = 0.4, rng=None, keep_tail: bool = False,
               direct: float = 1.0, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Pure-numpy reverb: convolve with `synthetic_rir(rt60)`; output RMS equals the
    input's; length len(x) (tail cut) or len(x) + len(rir) - 1 with keep_tail."""
    x = _f32(x)
    if len(x) == 0:
        return x.copy()
    h = synthetic_rir(rt60, rng, sample_rate, direct)
    y = signal.fftconvolve(x.astype(np.float64), h)
    if not keep_tail:
        y = y[:len(x)]
    r = rms(y)
    if r > 0:
        y *= rms(x) / r
    return y.astype(np.float32)


# --------------------------------------------------------------------------- speed/gain
def speed_perturb(x, factor: float, max_denominator: int = 100) -> np.ndarray:
    """Kaldi-style speed perturbation: resample by 1/factor and play back at the same
    rate, so duration is divided by factor and every frequency multiplied by it
    (factor 1.1: 10 % shorter, 10 % higher). Polyphase (scipy.signal.resample_poly)."""
    x = _f32(x)
    if factor <= 0:
        raise ValueError("speed factor must be positive")
    fr = Fraction(factor).limit_denominator(max_denominator)
    if fr == 1:
        return x.copy()
    return signal.resample_poly(x, fr.denominator, fr.numerator).astype(np.float32)


def trim_silence(x, floor_db: float = -40.0, frame: int = 160,
                 margin: int = 320) -> np.ndarray:
    """x without its leading and trailing quiet part: 10 ms frames whose power is more
    than -floor_db below the loudest frame's, keeping `margin` samples on each side.
    A signal that is all zeros comes back unchanged."""
    x = _f32(x)
    n = len(x) // frame
    if n == 0:
        return x.copy()
    power = np.mean(x[:n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1)
    if power.max() <= 0:
        return x.copy()
    loud = np.flatnonzero(power >= power.max() * 10.0 ** (floor_db / 10.0))
    lo = max(0, loud[0] * frame - margin)
    hi = min(len(x), (loud[-1] + 1) * frame + margin)
    return x[lo:hi].copy()


def reframe_edges(x, lead_s: float, trail_s: float,
                  sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """trim_silence(x) with lead_s seconds of digital silence before it and trail_s after
    (a later noise step fills them): speech that starts in the first frame, as in tightly
    cut recordings, as well as speech after a long pause."""
    y = trim_silence(x)
    lead = np.zeros(int(round(lead_s * sample_rate)), np.float32)
    trail = np.zeros(int(round(trail_s * sample_rate)), np.float32)
    return np.concatenate([lead, y, trail])


def apply_gain(x, gain_db: float) -> np.ndarray:
    return (_f32(x) * np.float32(10.0 ** (gain_db / 20.0))).astype(np.float32)


def eq_curve_db(freqs, tilt_db_per_octave: float, bumps, ref_hz: float = 1000.0) -> np.ndarray:
    """Gain in dB at `freqs` (Hz): a tilt around ref_hz plus Gaussian bumps in log frequency,
    each (centre_hz, gain_db, width_octaves)."""
    octaves = np.log2(np.maximum(np.asarray(freqs, np.float64), 20.0) / ref_hz)
    g = tilt_db_per_octave * octaves
    for centre, gain, width in bumps:
        g = g + gain * np.exp(-0.5 * ((octaves - np.log2(centre / ref_hz)) / width) ** 2)
    return g


def random_colouring(x, rng=None, sample_rate: int = SAMPLE_RATE, max_tilt: float = 4.0,
                     max_bump_db: float = 12.0, num_bumps: int = 3,
                     max_modulation: float = 0.8) -> np.ndarray:
    """A new noise from an old one, for noise-type variety: a random smooth spectral shape
    (eq_curve_db: tilt within +-max_tilt dB/octave, num_bumps bumps of +-max_bump_db, 0.3-1
    octave wide, 100 Hz..0.45 fs) applied in the frequency domain, then a random slow
    amplitude modulation 1 + d sin(2 pi f t + phi) (d <= max_modulation, f 0.3..8 Hz).
    Same length; RMS preserved."""
    rng = as_rng(rng)
    x = _f32(x).astype(np.float64)
    if len(x) == 0:
        return x.astype(np.float32)
    f = np.fft.rfftfreq(len(x), 1.0 / sample_rate)
    bumps = [(float(np.exp(rng.uniform(np.log(100.0), np.log(0.45 * sample_rate)))),
              float(rng.uniform(-max_bump_db, max_bump_db)), float(rng.uniform(0.3, 1.0)))
             for _ in range(num_bumps)]
    gain = 10 ** (eq_curve_db(f, rng.uniform(-max_tilt, max_tilt), bumps) / 20)
    y = np.fft.irfft(np.fft.rfft(x) * gain, len(x))
    t = np.arange(len(x)) / sample_rate
    y *= 1 + rng.uniform(0, max_modulation) * np.sin(
        2 * np.pi * rng.uniform(0.3, 8.0) * t + rng.uniform(0, 2 * np.pi))
    return (y * (rms(x) / (rms(y) + _EPS))).astype(np.float32)


def maybe_recolour(noise, rng, p: float) -> np.ndarray:
    """random_colouring(noise) with probability p, else noise unchanged. Draws from rng only
    when p > 0, so recipes with recolouring off reproduce their earlier mixes exactly."""
    if p > 0 and rng.random() < p:
        return random_colouring(noise, rng)
    return noise


# --------------------------------------------------------------------------- VTLP
def vtlp_warp(freqs, alpha: float, f_hi: float = 4800.0,
              sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Jaitly & Hinton (2013) piecewise-linear warp f -> f' of the frequency axis:
    f' = alpha f below the boundary f_hi min(alpha, 1) / alpha, then the straight line
    to (fs/2, fs/2), so the Nyquist frequency is fixed."""
    f = np.asarray(freqs, dtype=np.float64)
    nyq = sample_rate / 2.0
    boundary = f_hi * min(alpha, 1.0) / alpha
    upper = nyq - (nyq - f_hi * min(alpha, 1.0)) / (nyq - boundary) * (nyq - f)
    return np.where(f <= boundary, f * alpha, upper)


def vtlp(x, alpha: float, f_hi: float = 4800.0, sample_rate: int = SAMPLE_RATE,
         nperseg: int = 512, noverlap: int = 256, phase: str = "shifted") -> np.ndarray:
    """Vocal-tract-length perturbation of a waveform: STFT (Hann, `nperseg`), move the
    magnitude of each frequency f to vtlp_warp(f) (linear interpolation of the inverse
    warp), resynthesise with scipy.signal.istft; same length as the input; alpha = 1 is
    identity.

    phase="input" keeps the input ("noisy") phase of each output bin, as usual for
    magnitude-domain enhancement; but then a pure tone can only land on one of
    f0 + k * fs / hop (62.5 Hz steps with the defaults), e.g. alpha 0.95 leaves a 1 kHz
    tone at 1 kHz. phase="shifted" (default) takes the phase of the source bin and adds
    the frame-rate advance 2 pi (f' - f) hop m / fs, so partials move to alpha f."""
    x = _f32(x)
    n = len(x)
    if n == 0:
        return x.copy()
    freqs, _, z = signal.stft(x.astype(np.float64), fs=sample_rate, window="hann",
                              nperseg=nperseg, noverlap=noverlap)
    mag = np.abs(z)
    # Output bin at frequency g takes the magnitude at the source frequency w^-1(g).
    # The warp is monotonic, so invert it by interpolation on a fine grid.
    grid = np.linspace(0.0, sample_rate / 2.0, 8 * len(freqs))
    src = np.interp(freqs, vtlp_warp(grid, alpha, f_hi, sample_rate), grid)
    pos = src / (freqs[1] - freqs[0])
    lo = np.clip(np.floor(pos).astype(int), 0, len(freqs) - 1)
    hi = np.clip(lo + 1, 0, len(freqs) - 1)
    w = (pos - lo)[:, None]
    warped = (1.0 - w) * mag[lo] + w * mag[hi]
    if phase == "input":
        ph = np.angle(z)
    elif phase == "shifted":
        near = np.clip(np.rint(pos).astype(int), 0, len(freqs) - 1)
        hop = nperseg - noverlap
        m = np.arange(z.shape[1])[None, :]
        ph = np.angle(z[near]) + 2 * np.pi * ((freqs - freqs[near]) * hop / sample_rate
                                              )[:, None] * m
    else:
        raise ValueError(f"unknown phase mode {phase!r}")
    _, y = signal.istft(warped * np.exp(1j * ph), fs=sample_rate, window="hann",
                        nperseg=nperseg, noverlap=noverlap)
    y = y[:n]
    if len(y) < n:
        y = np.concatenate([y, np.zeros(n - len(y))])
    return y.astype(np.float32)


# --------------------------------------------------------------------------- telephone
MU = 255.0


def mulaw_encode(x, mu: float = MU) -> np.ndarray:
    """G.711 mu-law companding F(x) = sgn(x) ln(1 + mu|x|) / ln(1 + mu), quantised to
    8-bit codes 0..255 (x clipped to [-1, 1])."""
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.round((y + 1.0) / 2.0 * mu).astype(np.uint8)


def mulaw_decode(codes, mu: float = MU) -> np.ndarray:
    y = 2.0 * np.asarray(codes, dtype=np.float64) / mu - 1.0
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def telephone(x, sample_rate: int = SAMPLE_RATE, band=(300.0, 3400.0),
              mulaw: bool = True) -> np.ndarray:
    """Narrow-band telephone channel: resample to 8 kHz (polyphase), optional zero-phase
    band-pass `band` (default the 300-3400 Hz telephone band; None to skip), mu-law 8-bit
    encode/decode, back to the input rate. Same length as the input. Input beyond
    +-1 is clipped by the codec."""
    x = _f32(x)
    n = len(x)
    if n == 0:
        return x.copy()
    fr = Fraction(8000, sample_rate)
    y = signal.resample_poly(x.astype(np.float64), fr.numerator, fr.denominator)
    if band is not None and len(y) > 60:
        sos = signal.butter(6, band, btype="bandpass", fs=8000, output="sos")
        y = signal.sosfiltfilt(sos, y)
    if mulaw:
        y = mulaw_decode(mulaw_encode(y))
    y = signal.resample_poly(y, fr.denominator, fr.numerator)[:n]
    if len(y) < n:
        y = np.concatenate([y, np.zeros(n - len(y))])
    return y.astype(np.float32)


# --------------------------------------------------------------------------- SpecAugment
# In specaugment.py; re-exported here so `augment.spec_augment` etc. keep working.
from models.recipes.common.specaugment import (  # noqa: E402,F401
    apply_masks, sample_masks, spec_augment, spec_augment_torch)


# --------------------------------------------------------------------------- Augmenter
DEFAULT_CONFIG = {
    "speed": {"p": 0.5, "factors": [0.9, 1.0, 1.1]},
    "vtlp": {"p": 0.3, "alpha": [0.9, 1.1]},
    "reverb": {"p": 0.3, "backend": "sox", "reverberance": [10, 80],
               "hf_damping": [10, 90], "room_scale": [20, 100], "rt60": [0.15, 0.8]},
    "noise": {"p": 0.6, "snr_db": [0, 20],
              "kinds": {"real": 2, "white": 1, "pink": 1, "brown": 1, "blue": 0.5,
                        "babble": 1}},
    "telephone": {"p": 0.1},
    "gain": {"p": 0.5, "db": [-6, 6]},
    "specaugment": {"p": 1.0, "num_freq_masks": 2, "freq_width": 15,
                    "num_time_masks": 2, "time_width": 40, "p_time": 0.2,
                    "mask_value": "mean"},
}

# "edges" is in no DEFAULT_CONFIG (a recipe turns it on); a missing name draws nothing.
WAVE_ORDER = ("edges", "speed", "vtlp", "reverb", "noise", "telephone", "gain")


def utterance_seed(base_seed: int, index: int, epoch: int = 0) -> np.random.SeedSequence:
    """The per-utterance seed: a stable hash of (base_seed, epoch, index) (numpy's
    SeedSequence; unlike Python's hash() it does not change between runs)."""
    return np.random.SeedSequence([int(base_seed) & 0xFFFFFFFF, int(epoch), int(index)])


class Augmenter:
    """Waveform + feature augmentation with per-utterance seeding.

    config: {name: {"p": probability, ...parameters}} for the names in WAVE_ORDER and
    "specaugment" (missing names are off; see DEFAULT_CONFIG). Ranges [lo, hi] are
    sampled uniformly. noises: real noise arrays (16 kHz); voices: synthesised speech
    arrays for babble. A noise kind whose material is missing is dropped.

    `augment(wave, index, epoch)` returns (augmented, info) where info lists what was
    applied with its parameters; the result depends only on (base_seed, epoch, index,
    wave, config), not on call order, so a resumed run reproduces it. The feature stream
    (`augment_features`) uses an independent child seed."""

    def __init__(self, config=None, base_seed: int = 0, noises=(), voices=(),
                 sample_rate: int = SAMPLE_RATE, peak_limit: float | None = 0.99):
        self.config = DEFAULT_CONFIG if config is None else config
        self.base_seed = int(base_seed)
        self.noises = [_f32(n) for n in noises if len(n)]
        self.voices = [_f32(v) for v in voices if len(v)]
        self.sample_rate = sample_rate
        self.peak_limit = peak_limit
        self.use_sox = have_sox()

    def _rngs(self, index, epoch):
        wave_ss, feat_ss = utterance_seed(self.base_seed, index, epoch).spawn(2)
        return np.random.default_rng(wave_ss), np.random.default_rng(feat_ss)

    @staticmethod
    def _uniform(rng, r):
        if isinstance(r, (int, float)):
            return float(r)
        return float(rng.uniform(r[0], r[1]))

    def _noise(self, n, cfg, rng):
        kinds = dict(cfg.get("kinds", {"white": 1}))
        if not self.noises:
            kinds.pop("real", None)
        if not self.voices:
            kinds.pop("babble", None)
        names = [k for k, w in kinds.items() if w > 0]
        if not names:
            return None, None
        w = np.array([kinds[k] for k in names], dtype=np.float64)
        kind = names[int(rng.choice(len(names), p=w / w.sum()))]
        if kind == "real":
            return kind, self.noises[int(rng.integers(len(self.noises)))]
        if kind == "babble":
            return kind, babble(self.voices, n, rng, k_range=tuple(cfg.get("babble_k",
                                                                            (3, 7))))
        return kind, coloured_noise(n, kind, rng)

    def augment(self, wave, index: int, epoch: int = 0):
        rng, _ = self._rngs(index, epoch)
        x = _f32(wave)
        info = []
        for name in WAVE_ORDER:
            cfg = self.config.get(name)
            if not cfg:
                continue
            # Coin and step seed are drawn for every configured step, applied or not, so
            # one step's random parameters never shift another's.
            coin = rng.random()
            step = np.random.default_rng(rng.integers(2 ** 63))
            if coin >= cfg.get("p", 0.0):
                continue
            if name == "edges":
                lead = self._uniform(step, cfg.get("lead_s", [0.0, 0.5]))
                trail = self._uniform(step, cfg.get("trail_s", [0.0, 0.3]))
                x = reframe_edges(x, lead, trail, self.sample_rate)
                info.append(("edges", lead, trail))
            elif name == "speed":
                f = float(step.choice(cfg.get("factors", [0.9, 1.0, 1.1])))
                if f != 1.0:
                    x = speed_perturb(x, f)
                    info.append(("speed", f))
            elif name == "vtlp":
                a = self._uniform(step, cfg.get("alpha", [0.9, 1.1]))
                x = vtlp(x, a, sample_rate=self.sample_rate)
                info.append(("vtlp", a))
            elif name == "reverb":
                if cfg.get("backend", "sox") == "sox" and self.use_sox:
                    params = tuple(self._uniform(step, cfg.get(k, d)) for k, d in
                                   (("reverberance", [10, 80]), ("hf_damping", [10, 90]),
                                    ("room_scale", [20, 100])))
                    x = reverb_sox(x, *params, sample_rate=self.sample_rate)
                    info.append(("reverb_sox",) + params)
                else:
                    rt60 = self._uniform(step, cfg.get("rt60", [0.15, 0.8]))
                    x = reverb_rir(x, rt60, step, sample_rate=self.sample_rate)
                    info.append(("reverb_rir", rt60))
            elif name == "noise":
                kind, noise = self._noise(len(x), cfg, step)
                if noise is not None:
                    snr = self._uniform(step, cfg.get("snr_db", [0, 20]))
                    x = add_noise(x, noise, snr, step)
                    info.append(("noise", kind, snr))
            elif name == "telephone":
                x = telephone(x, self.sample_rate)
                info.append(("telephone",))
            elif name == "gain":
                g = self._uniform(step, cfg.get("db", [-6, 6]))
                x = apply_gain(x, g)
                info.append(("gain", g))
        if self.peak_limit is not None and len(x):
            peak = float(np.max(np.abs(x)))
            if peak > self.peak_limit:
                x = (x * (self.peak_limit / peak)).astype(np.float32)
                info.append(("peak_limit", peak))
        return x, info

    __call__ = augment

    def augment_features(self, feats, index: int, epoch: int = 0, torch_tensor=False):
        """SpecAugment of a (T, F) matrix (numpy, or torch with torch_tensor=True)."""
        cfg = self.config.get("specaugment")
        _, rng = self._rngs(index, epoch)
        if not cfg or rng.random() >= cfg.get("p", 1.0):
            return feats.clone() if torch_tensor else np.array(feats, copy=True)
        kw = dict(num_freq_masks=cfg.get("num_freq_masks", 2),
                  freq_width=cfg.get("freq_width", 15),
                  num_time_masks=cfg.get("num_time_masks", 2),
                  time_width=cfg.get("time_width", 40), p=cfg.get("p_time", 1.0))
        if torch_tensor:
            return spec_augment_torch(feats, rng, mask_value=cfg.get("mask_value", "mean"),
                                      **kw)
        return spec_augment(feats, rng, mask_value=cfg.get("mask_value", "mean"), **kw)


def load_noises(paths, sample_rate: int = SAMPLE_RATE, max_seconds: float | None = 60.0):
    """Read noise files (e.g. readers.read_noise() paths) as 16 kHz mono float32 arrays
    (channels averaged, polyphase resampling, at most max_seconds each)."""
    import soundfile as sf
    out = []
    for p in paths:
        x, sr = sf.read(p, dtype="float32", always_2d=True)
        x = x.mean(axis=1)
        if max_seconds is not None:
            x = x[:int(max_seconds * sr)]
        if sr != sample_rate:
            fr = Fraction(sample_rate, sr)
            x = signal.resample_poly(x, fr.numerator, fr.denominator).astype(np.float32)
        out.append(x)
    return out
