"""Qt-free core of bilingual-reader: import, segmentation, store, alignment, dictionary, export."""

__version__ = "0.1.0"
