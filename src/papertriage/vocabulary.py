"""The built-in vocabulary of the SPEC, in display order."""

MODALITIES = (
    "text", "image", "video", "speech", "audio", "music", "code", "graph", "tabular",
    "time-series", "3d", "molecule", "biosequence", "motion",
)

TASKS = (
    "classification", "object-detection", "segmentation", "generation", "language-modeling",
    "translation", "summarization", "question-answering", "retrieval", "recommendation",
    "speech-recognition", "speech-synthesis", "pose-estimation", "tracking", "forecasting",
    "representation-learning", "decision-making", "information-extraction", "parsing",
    "captioning", "reasoning", "restoration", "compression", "tokenization", "reconstruction",
    "anomaly-detection", "clustering", "adversarial-robustness", "interpretability", "alignment",
    "editing",
)

STATUSES = ("unread", "include", "maybe", "exclude")

FORMATS = ("table", "jsonl", "json", "csv", "tsv", "md", "bibtex", "ids")
"""Output formats of the listing commands (written by :mod:`papertriage.output`)."""
