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
# # 5. Enighed mellem kodere og maskine
#
# Hvor godt stemmer maskinens koder med menneskers, og hvor enige er menneskene indbyrdes om de samme udsagn?
# Maskinen sammenlignes kun på udsagn, den ikke har lært af. De menneskelige kodere står med de
# initialer, de skrev i kodearket; hver har kodet udsagnene for sig uden at se de andres eller maskinens koder.
#
# **Sådan læses tallene.** *Cohens kappa* og *Krippendorffs alfa* måler, hvor enige to kodere er, når den
# enighed, man ville få ved rent tilfælde, er trukket fra: 1 er fuld enighed, 0 er ikke bedre end tilfældet.
# Kappa findes kun for par; alfa kan også måle alle kodere på én gang. Alfa under 0,667 – en gængs grænse i
# indholdsanalyse – regnes som for lav til, at koden kan stå alene: er et par *menneskelige* kodere under
# grænsen for en kode, er koden *foreløbig* overalt i rapporterne. *Makro-F1* (0–1) måler, hvor godt
# maskinen rammer menneskenes kode, sådan at hver kode tæller lige meget – også de sjældne.
# Alle tal tæller kun udsagn med indhold. Svar uden indhold (fx "ingen kommentarer") er ikke med: dem koder
# alle «ingen», så de ville få enigheden til at se større ud, end den er.

# %% tags=["parameters"]
workshop_id = "2022-10-28-dataetik"
data_dir = "../data"
params_override = {}  # ændringer af standardparametrene, som i en --params-fil; {} betyder standard

# %%
from IPython.display import Markdown, display

from workshopnlp import figures, reporting

b = reporting.open_report(workshop_id, data_dir, params_override)

# %% [markdown]
# ## Hvor enige er koderne?
# Én række pr. par af kodere og for alle kodere samlet; figuren viser det samme for hver kode.

# %%
if b.agreement is None:
    display(Markdown("*Ingen udsagn er kodet af mennesker for denne workshop endnu. Analytikeren kan lave et "
                     "kodeark, som projektgruppen kan kode i.*"))
else:
    display(reporting.agreement_summary(b))
    reporting.show(figures.fig_agreement(b.agreement, b.codebook))

# %% [markdown]
# ## Virker maskinen lige godt for alle personaer?
# Princippet om ligeværdighed gælder også værktøjet: maskinens koder må ikke være dårligere for borgernes
# uformelle svar end for medarbejdernes referater. Tabellen sammenligner maskinen med den kode, flest
# menneskelige kodere gav (ved stemmelighed koden fra den koder, hvis initialer står først i alfabetet), på de
# udsagn, maskinen ikke har lært af. "Andel enige" er andelen af udsagn,
# hvor maskinen gav samme kode som menneskene. "Kodere indbyrdes enige" er, hvor ofte to menneskelige kodere
# gav de samme udsagn samme kode: er menneskene selv ofte uenige om en gruppes udsagn, kan maskinen heller
# ikke ramme deres flertal, og et lavt tal for gruppen handler da lige så meget om kodebogens grænser som om
# maskinen. Med få udsagn pr. persona er tallene usikre. Den næste tabel
# viser derfor, hvor store forskelle tilfældet alene giver med grupper af samme størrelse, og hvor mange
# menneskekodede udsagn der skal til, før man kan vise, at forskellen holder sig inden for målet.
# Ud over personaerne sammenlignes borgere med medarbejdere, skriftlige svar med noter og referater, og
# borgernes egne skriftlige svar med medarbejdernes noter og referater. Er en forskel for stor til at være
# tilfældig, står der, hvilke koder maskinen og menneskene oftest er uenige om i den svageste gruppe. Er
# det «Intet fokusområde» mod en kode, ligger uenigheden ofte i kodebogens grænse for, hvornår et udsagn
# hører til et fokusområde – den afgøres bedst ved, at projektgruppen gennemgår de omstridte udsagn i et
# gennemgangsark (se nedenfor).

# %%
quality = reporting.persona_quality_table(b)
if quality.empty:
    display(Markdown("*Ingen udsagn fra denne workshop er kodet af mennesker og holdt ude af træningen.*"))
else:
    display(quality)
    gaps = reporting.persona_gap_table(b)
    if not gaps.empty:
        display(Markdown("**Er forskellene større, end tilfældet giver?**"))
        display(gaps)
        display(Markdown(reporting.persona_gap_text(b)))

# %% [markdown]
# ## Hvor er koderne og maskinen uenige?
# Krydstabeller for hvert par: rækker er den førstes kode, kolonner den andens. Tal uden for diagonalen er
# udsagn, de to har kodet forskelligt. Først fokusområder, så principper.

# %%
pairs = reporting.agreement_pairs(b)
if not pairs:
    display(Markdown(reporting.NO_HUMAN_CODES_DA))
for dimension in ("focus_area", "principle") if pairs else ():
    display(Markdown(f"### {b.codebook.dimension(dimension).label}"))
    for pair in pairs:
        display(Markdown(f"**{reporting.pair_heading(pair)}**"))
        display(reporting.confusion_table(b, dimension, pair))

# %% [markdown]
# ## Hvordan afgøres uenighederne?

# %%
display(Markdown(reporting.disputes_text(b.human_codes)))

# %%
reporting.close_report(b)
