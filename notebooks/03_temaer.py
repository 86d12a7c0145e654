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
# # 3. Temaer: hvad talte man om?
#
# Kodebogen svarer på "hvilken kendt kode?". Temaerne svarer på "hvad talte folk om, som vi ikke havde
# forudset?". De er fundet ved at gruppere udsagn med samme indhold, uden at nogen har bestemt dem på forhånd.

# %% tags=["parameters"]
workshop_id = "2022-10-28-dataetik"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import HTML, Markdown, display

from workshopnlp import figures, reporting

b = reporting.open_report(workshop_id, data_dir, params_override)
display(Markdown(reporting.themes_note(b)))

# %%
if b.themes is not None:
    reporting.show(figures.fig_theme_overview(b.themes))
    display(Markdown("## Temaerne"))
    display(reporting.theme_table(b))
    display(Markdown(reporting.theme_table_note(b)))

# %% [markdown]
# ## Temaer og kodebogen
# Andelen af hvert temas udsagn, der er kodet til hvert fokusområde og princip. Ustabile temaer er markeret.

# %%
if b.themes is not None:
    reporting.show(figures.fig_themes_codebook(b.themes, b.theme_codes, b.codebook, "focus_area"))
    reporting.show(figures.fig_themes_codebook(b.themes, b.theme_codes, b.codebook, "principle"))

# %% [markdown]
# ## Hvem talte om hvad, og hvor?

# %%
if b.themes is not None:
    display(Markdown(reporting.who_and_where_text(b)))
    reporting.show(figures.fig_themes_by_persona(b.themes))
    reporting.show(figures.fig_themes_by_source_kind(b.themes))

# %% [markdown]
# ## Citater der kendetegner hvert tema
# De udsagn, der ligger tættest på temaets midte – fordelt på temaets fokusområder efter, hvor mange af temaets
# udsagn hvert fokusområde har. Et tema, der er halvt praktiske beskeder og halvt borgerinddragelse, viser
# derfor begge dele.

# %%
if b.themes is not None:
    quotes = reporting.theme_quotes(b)
    display(quotes, Markdown(reporting.not_named_note(b, quotes)))

# %% [markdown]
# ## Hvert udsagn og dets tema
# Hvorfor står et udsagn i et tema? Åbn et tema for at se alle dets udsagn, de mest typiske først, og for hvert
# udsagn: hvilket temas udsagn det ligner mest, hvilket tema der kom næst, og hvilke af temaets nøgleord det
# bruger. Maskinen har fundet temaerne; forklaringen er til at tjekke den med, ikke en afgørelse.

# %%
if b.themes is not None:
    display(HTML(reporting.statement_themes_html(b)))

# %%
reporting.close_report(b)
