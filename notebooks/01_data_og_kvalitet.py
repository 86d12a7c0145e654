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
# # 1. Data og datakvalitet
#
# Hvad kom der ind fra workshoppen, hvem sagde det, og hvad blev fjernet af hensyn til privatlivet?

# %% tags=["parameters"]
workshop_id = "2022-10-28-dataetik"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import Markdown, display

from workshopnlp import reporting

b = reporting.open_report(workshop_id, data_dir, params_override)

# %% [markdown]
# ## Kilder
# Hver fil fra workshoppen med antallet af udsagn. Svar uden indhold og gentagne svar er talt med her, og
# linjer fra facilitator eller ordstyrer står i «Udsagn». Ingen af dem tælles med i figurerne over koder eller
# i temaerne.

# %%
reporting.sources_table(b)

# %% [markdown]
# ## Hvem talte?

# %%
display(Markdown(reporting.persona_table_note(b)))
reporting.persona_table(b)

# %% [markdown]
# ## Personoplysninger der blev fjernet
# Antal erstatninger pr. type. Selve oplysningerne gemmes ingen steder.

# %%
reporting.redaction_table(b)

# %%
reporting.close_report(b)
