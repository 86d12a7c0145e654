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
# # 4. Sammenligning med tidligere workshops
#
# Hvordan har vægten mellem fokusområder og principper flyttet sig siden de tidligere workshops, og
# hvilke temaer er nye, vokset, skrumpet eller forsvundet?

# %% tags=["parameters"]
workshop_id = "2023-01-19-fokusomraader"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import Markdown, display

from workshopnlp import figures, reporting

b = reporting.open_report(workshop_id, data_dir, params_override)
frames = reporting.workshop_frames(data_dir, until=workshop_id)
display(Markdown(reporting.comparison_note(frames, workshop_id, data_dir)))

# %%
if len(frames) > 1:
    reporting.show(figures.fig_codes_by_workshop(frames, b.codebook, "focus_area"))
    display(Markdown(reporting.who_coded_note(frames)))
    display(Markdown(reporting.asked_about_note(frames, b.codebook)))
    reporting.show(figures.fig_codes_by_workshop(frames, b.codebook, "principle"))

# %% [markdown]
# ## Temaer siden sidst

# %%
changes = reporting.theme_comparison(b)
if changes is None:
    display(Markdown(reporting.no_theme_comparison_text(b)))
else:
    reporting.show(figures.fig_theme_changes(*changes))
    display(reporting.theme_changes(b))
    display(Markdown(reporting.theme_changes_note(b)))

# %%
reporting.close_report(b)
