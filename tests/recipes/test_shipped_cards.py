"""The shipped model descriptors (models/shipped/*.json, what ListModels and `auris models`
report) name the version their model card describes."""
import json
import os
import re
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED = os.path.join(REPO, "models", "shipped")


class ShippedCardsTest(unittest.TestCase):
    def test_descriptor_version_is_the_cards_version(self):
        checked = []
        for name in sorted(os.listdir(SHIPPED)):
            with open(os.path.join(SHIPPED, name)) as fh:
                desc = json.load(fh)
            if "file" not in desc:
                continue  # no model file (classic): no card
            card = os.path.join(os.path.dirname(os.path.join(SHIPPED, desc["file"])),
                                "MODEL_CARD.md")
            with open(card) as fh:
                title = fh.readline()
            m = re.match(r"# Model card: `(\w+)` v(\d+\.\d+\.\d+)\b", title)
            self.assertIsNotNone(m, f"{card}: title must read '# Model card: `name` vX.Y.Z'")
            self.assertEqual(m.group(1), desc["name"], card)
            self.assertEqual(m.group(2), desc["version"],
                             f"{name} says {desc['version']}, {card} v{m.group(2)}")
            checked.append(desc["name"])
        self.assertEqual(checked, ["asr", "denoise", "emotion"])


if __name__ == "__main__":
    unittest.main()
