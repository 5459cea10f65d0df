"""Parse `emnist-<split>-mapping.txt`: one `label code [code...]` line per class.

The class list is read from this file, never hard-coded, so every EMNIST split
(balanced, byclass, letters, ...) works with the same loader.
"""

import numpy as np

from emnist_core.errors import DataError


def parse_mapping(text: str, name: str) -> tuple[list[int], list[str]]:
    """Return (labels, characters) in ascending label order.

    Most splits have two columns (label, ASCII code). The letters split has three
    (label, upper code, lower code) and labels 1..26; its classes read e.g. "A/a".
    """
    entries: dict[int, str] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        try:
            numbers = [int(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) < 2 or any(n < 0 for n in numbers):
            raise DataError(
                f"{name} line {line_no} reads {line.strip()!r}; expected 'label ascii_code' "
                "(two non-negative integers). Replace the file with the one from the archive."
            )
        label, codes = numbers[0], numbers[1:]
        if label in entries:
            raise DataError(f"{name} lists label {label} twice (line {line_no}).")
        entries[label] = "/".join(dict.fromkeys(chr(code) for code in codes))
    if not entries:
        raise DataError(f"{name} is empty; it should list one 'label ascii_code' line per class.")
    labels = sorted(entries)
    expected = list(range(labels[0], labels[0] + len(labels)))
    if labels != expected:
        missing = sorted(set(expected) - set(labels))
        raise DataError(f"{name} skips label(s) {missing}; labels must be consecutive.")
    return labels, [entries[label] for label in labels]


def relabel(labels: np.ndarray, mapping_labels: list[int], file_name: str, mapping_name: str):
    """Shift raw labels so they run 0..K-1, checking each one appears in the mapping.

    A label the mapping does not know means the label file and mapping come from
    different splits; that is reported instead of producing wrong class names.
    """
    first, count = mapping_labels[0], len(mapping_labels)
    if labels.size:
        low, high = int(labels.min()), int(labels.max())
        if low < first or high >= first + count:
            raise DataError(
                f"{file_name} has labels {low}..{high} but {mapping_name} defines "
                f"{first}..{first + count - 1}; the files come from different splits. "
                "Use the mapping file of the same split."
            )
    return labels - first if first else labels
