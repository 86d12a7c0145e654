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
# # 2. Fokusområder og dataetiske principper
#
# Hvert udsagn er kodet med ét af workshoppens tre fokusområder og ét af de seks dataetiske principper –
# eller "ingen". Her ses fordelingen, og for hver kode de udsagn, der passer bedst, med forklaringen på hvorfor.

# %% tags=["parameters"]
workshop_id = "2022-10-28-dataetik"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import HTML, Markdown, display

from workshopnlp import figures, reporting

b = reporting.open_report(workshop_id, data_dir, params_override)

# %% [markdown]
# ## Fokusområder fordelt på persona

# %%
reporting.show(figures.fig_codes_by_persona(b.statements, b.codes, b.codebook, "focus_area"))

# %% [markdown]
# ## Dataetiske principper fordelt på persona

# %%
reporting.show(figures.fig_codes_by_persona(b.statements, b.codes, b.codebook, "principle"))

# %% [markdown]
# ## Hvilke principper hører til hvilke fokusområder?

# %%
reporting.show(figures.fig_principle_by_focus(b.codes, b.codebook, statements=b.statements))

# %% [markdown]
# ## Plenum, grupper og skriftlige svar

# %%
reporting.show(figures.fig_codes_by_source_kind(b.statements, b.codes, b.codebook, "focus_area"))
reporting.show(figures.fig_codes_by_source_kind(b.statements, b.codes, b.codebook, "principle"))

# %% [markdown]
# ## Hvorfor fik udsagnene deres kode?
# For hver kode vises de udsagn, der har den med størst sikkerhed, og forklaringen. Er udsagnet kodet af
# mennesker, står først, hvor mange af de menneskelige kodere der gav koden. Derefter maskinens eget
# forslag med en sikkerhed fra 0 til 1 og dens begrundelse: de eksempler fra kodebogen, udsagnet ligner
# mest, de ord i udsagnet der vejede tungest (maskinen tæller ord i grundform, så "værre" vejer som
# "slem"), og – for fokusområdet – om spørgsmålet eller runden, svaret blev givet i, nævner koden. For princippet nævner forklaringen også de
# ord i udsagnet, som kodebogen har som nøgleord for koden. Hvad hver kode betyder, og hvilke eksempler
# maskinen har lært af, står i [kodebogen](#Kodebogen:-hvad-betyder-koderne?) nederst på siden.

# %% [markdown]
# ### Fokusområder

# %%
examples = reporting.examples_with_explanations(b, "focus_area")
display(examples, Markdown(reporting.not_named_note(b, examples)))

# %% [markdown]
# ### Dataetiske principper

# %%
examples = reporting.examples_with_explanations(b, "principle", per_code=1)
display(examples, Markdown(reporting.not_named_note(b, examples)))

# %% [markdown]
# ### Alle udsagn og deres koder
# Åbn et fokusområde for at se hvert udsagn, der har fået det, de sikreste først, med princip og forklaring.
# Tomme svar og ordrette gentagelser er ikke med.

# %%
display(HTML(reporting.all_codes_html(b)))

# %% [markdown]
# ## Kodebogen: hvad betyder koderne?

# %%
display(Markdown(reporting.codebook_intro(b.codebook)))

# %% [markdown]
# ### Kodebogens fokusområder

# %%
reporting.codebook_section(b, "focus_area")

# %% [markdown]
# ### Kodebogens dataetiske principper

# %%
reporting.codebook_section(b, "principle")

# %%
reporting.close_report(b)
