"""Facts about the EMNIST files as published by NIST: names, formats, URL and checksum.

Kept apart from logic so the loader, the downloader and the synthetic writer agree
on one spelling of every file name.
"""

SPLITS = ("balanced", "byclass", "bymerge", "letters", "digits", "mnist")
PARTS = ("train", "test")

IMAGE_SIZE = 28
IMAGES_MAGIC = 2051  # IDX header: 0x00000803, unsigned byte, 3 dimensions
LABELS_MAGIC = 2049  # IDX header: 0x00000801, unsigned byte, 1 dimension

# The official archive. URL and SHA-256 as recorded by tensorflow-datasets
# (tensorflow_datasets/url_checksums/emnist.txt); NIST serves the same file
# from two hosts, so both are tried.
ARCHIVE_NAME = "gzip.zip"
ARCHIVE_URLS = (
    "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip",
    "https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip",
)
ARCHIVE_SHA256 = "fb9bb67e33772a9cc0b895e4ecf36d2cf35be8b709693c3564cea2a019fcda8e"
ARCHIVE_SIZE = 561_753_746
ARCHIVE_MEMBER_DIR = "gzip/"  # members sit under this prefix inside gzip.zip


def idx_name(split: str, part: str, kind: str) -> str:
    """File name of one official gzip IDX file; kind is 'images' or 'labels'."""
    suffix = "images-idx3" if kind == "images" else "labels-idx1"
    return f"emnist-{split}-{part}-{suffix}-ubyte.gz"


def mapping_name(split: str) -> str:
    """File name of the label -> character-code mapping that ships with every split."""
    return f"emnist-{split}-mapping.txt"


def csv_name(split: str, part: str) -> str:
    """File name of one Kaggle CSV file (label first, then 784 pixels)."""
    return f"emnist-{split}-{part}.csv"


def idx_names(split: str) -> list[str]:
    """All five files the IDX format needs for one split, mapping last."""
    names = [idx_name(split, part, kind) for part in PARTS for kind in ("images", "labels")]
    return names + [mapping_name(split)]


def csv_names(split: str) -> list[str]:
    """All three files the CSV format needs for one split, mapping last."""
    return [csv_name(split, part) for part in PARTS] + [mapping_name(split)]


# Marker written beside synthetic data so every view can label it as synthetic.
SYNTHETIC_MARKER = "SYNTHETIC.txt"
