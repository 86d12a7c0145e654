# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6. Til opfølgningsworkshoppen: dilemmakort
#
# For hvert fokusområde: kodebogens dilemma og spørgsmål (fra materialet til workshoppen 28. oktober 2022)
# sammen med de mest sigende citater fra hver persona i denne workshop. Kortene kan printes og bruges direkte i
# drøftelserne; under hvert kort står det samme som tekst.

# %% tags=["parameters"]
workshop_id = "2022-10-28-dataetik"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import Markdown, display

from workshopnlp import figures, reporting

b = reporting.open_report(workshop_id, data_dir, params_override)
cards = reporting.dilemma_cards(b)

# %%
for card in cards:
    reporting.show(figures.fig_dilemma_card(card))
    display(Markdown(reporting.dilemma_card_text(card)))

# %%
reporting.close_report(b)
