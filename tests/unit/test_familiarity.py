"""How like anything the coder learnt from a text is (coding.Familiarity) and how that is said in Danish."""

import numpy as np

from workshopnlp.coding import Familiarity
from workshopnlp.formatting import unfamiliar_text


def _cluster(rng, centre, n, spread):
    """Unit-length rows, as every Embedder returns them."""
    x = centre + spread * rng.standard_normal((n, len(centre)))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_threshold_is_the_percentile_of_the_training_texts_own_nearest_neighbours():
    rng = np.random.default_rng(0)
    train = _cluster(rng, np.eye(16)[0] * 5, 200, 1.0)
    fam = Familiarity.fit(train, 5)
    sims = train @ train.T
    np.fill_diagonal(sims, -np.inf)
    assert fam.threshold == round(float(np.percentile(sims.max(axis=1), 5)), 4)
    # about 5 % of the training texts themselves fall below it (left out of their own comparison)
    assert 0.02 <= np.mean(sims.max(axis=1) < fam.threshold) <= 0.08
    # the same results, chunk by chunk, on a training set larger than a chunk
    assert Familiarity.fit(np.vstack([train] * 6), 5).threshold == 1.0  # every text has an identical twin


def test_texts_from_elsewhere_are_unfamiliar_and_texts_like_the_training_set_are_not():
    rng = np.random.default_rng(1)
    centre = np.eye(16)[0] * 5
    fam = Familiarity.fit(_cluster(rng, centre, 300, 1.0), 5)
    alike = _cluster(rng, centre, 100, 1.0)
    elsewhere = _cluster(rng, np.eye(16)[3] * 5, 100, 1.0)
    assert fam.unfamiliar(alike).mean() < 0.15
    assert fam.unfamiliar(elsewhere).mean() > 0.95
    assert np.all(fam.nearest(elsewhere) < fam.nearest(alike).min() + 0.5)
    assert fam.unfamiliar(np.empty((0, 16))).shape == (0,)


def test_unfamiliar_text_counts_and_asks_for_a_sample_only_when_many_are_unfamiliar():
    many = unfamiliar_text({"statements": 172, "unfamiliar": 117, "percentile": 5.0}, 0.2)
    assert many.startswith("117 af 172 udsagn (68 %) ligner ikke noget, maskinen har lært af")
    assert "end 95 % af disse ligger fra deres egen nærmeste nabo" in many and "kode en stikprøve" in many
    few = unfamiliar_text({"statements": 188, "unfamiliar": 6, "percentile": 5.0}, 0.2)
    assert few.startswith("6 af 188 udsagn (3 %)") and "stikprøve" not in few
    assert unfamiliar_text({"statements": 0, "unfamiliar": 0}, 0.2) == ""
    # none unfamiliar reads as a sentence, not as "0 af 179 udsagn (0 %) ligner ikke noget"
    assert unfamiliar_text({"statements": 179, "unfamiliar": 0, "percentile": 5.0}, 0.2).startswith(
        "Alle 179 udsagn ligner noget, maskinen har lært af")
    # the «Bemærk» of `run` and the plea in the sentence are one rule (formatting.unfamiliar_warns)
    from workshopnlp.formatting import unfamiliar_warns

    for record in ({"statements": 172, "unfamiliar": 117}, {"statements": 188, "unfamiliar": 6},
                   {"statements": 10, "unfamiliar": 2}, {"statements": 0, "unfamiliar": 0}):
        assert unfamiliar_warns(record, 0.2) == ("stikprøve" in unfamiliar_text({**record, "percentile": 5.0}, 0.2))
    assert unfamiliar_warns({"statements": 10, "unfamiliar": 2}, 0.2) and not unfamiliar_warns({"statements": 10,
                                                                                              "unfamiliar": 1}, 0.2)
