"""workshopnlp: Danish data-ethics workshop input -> pseudonymised statements, codes, themes and reports.

Each pipeline stage lives in one module:

- :mod:`workshopnlp.ingest`       raw files -> statement table (``processed/<id>/statements.parquet``)
- :mod:`workshopnlp.pseudonymise` personal data -> typed placeholders
- :mod:`workshopnlp.nlp`          Danish tokens, lemmas and stop words (spaCy)
- :mod:`workshopnlp.codebook`     the codebook as data (YAML), validated on load
- :mod:`workshopnlp.embeddings`   swappable sentence embedders with an on-disk cache
- :mod:`workshopnlp.coding`       statements -> focus area and principle, with explanations
- :mod:`workshopnlp.coding_sheet` XLSX coding sheets for people (export/import)
- :mod:`workshopnlp.agreement`    Cohen's kappa and Krippendorff's alpha between coders
- :mod:`workshopnlp.themes`       BERTopic theme discovery (:mod:`workshopnlp.compare` across workshops)
- :mod:`workshopnlp.figures`      Danish figures for the reports
- :mod:`workshopnlp.reporting`    tables and texts the notebooks show
- :mod:`workshopnlp.report`       notebooks -> HTML reports
- :mod:`workshopnlp.pipeline`     the declared chain of steps behind ``workshopnlp run``
"""

__version__ = "0.1.0"
