"""What a module's notebook shows, one call each: ``show_practice_month()``.

A student who does not code reads a cell with one call whose name says what it
shows, not the lines that gather the data for a plot. Each function here reads
what its display needs (the module's data, the student's saved answers, what
the student's exercise code found) and draws it with ``coursekit.student.plots``;
it returns the figure, so a cell that ends with the call shows it.

A display that draws what the student's own code found takes that code's
results or functions as arguments. Until the exercise is done (its values are
still ``NotSetYet``, or its function still raises NotImplementedError) it says
in a sentence what will appear and draws what it can without it; it never
fails on unfinished work, so Run All goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from coursekit.content.manifest import Module
from coursekit.stats.caseload import Caseload
from coursekit.stats.expected_response import ExpectedResponse
from coursekit.stats.simulated_clients import SimulatedClients
from coursekit.student.exercises import done, result_of
from coursekit.student.responses import ResponseStore

# --- any module --------------------------------------------------------------------


def show_evidence(*, title: str, xlabel: str | None = None, effects_only: bool = False,
                  module: Module | None = None) -> Any:
    """The module's published findings (its evidence.json): each effect with its interval and
    number of studies where the source gives them, and its source written beside it.

    ``effects_only`` leaves out findings without an effect size (evidence of another kind).
    """
    from coursekit.student.plots import EffectRow, effect_sizes

    module = module or Module.here()
    findings = [finding for finding in module.evidence_set().findings
                if not effects_only or finding.as_r() is not None]
    options = {"xlabel": xlabel} if xlabel else {}
    return effect_sizes([EffectRow.of(finding) for finding in findings], title=title, **options)


def _first(module: Module, kind: str) -> str:
    return module.forms_of(kind)[0].id


# --- alliance ----------------------------------------------------------------------


def show_rupture_and_repair(ratings: Sequence[float | None], find_rupture: Callable[..., Any],
                            find_repair: Callable[..., Any], *,
                            title: str = "Rupture and repair, as found by my functions") -> Any:
    """The alliance series with the rupture and the repair that the student's functions find."""
    from coursekit.student.plots import alliance_series

    rupture = result_of(find_rupture, ratings, exercise="find_rupture")
    if not done(rupture):
        print("Not done yet: the rupture and its repair are marked here once find_rupture and "
              "find_repair are written (the exercise above). For now, the series alone.")
        return alliance_series(ratings, title=title)
    repair = result_of(find_repair, ratings, rupture, exercise="find_repair") if rupture else None
    if not done(repair):
        print("Not done yet: the repair is marked here once find_repair is written (the exercise "
              "above).")
        repair = None
    return alliance_series(ratings, rupture=rupture, repair=repair, title=title)


# --- craft -------------------------------------------------------------------------


def show_my_placement(*, title: str = "Where I place myself between technique and craft",
                      module: Module | None = None) -> Any:
    """Where the student's saved answers place them on each pair of statements."""
    from coursekit.content.instruments import item_scores
    from coursekit.student.plots import bipolar_placement

    module = module or Module.here()
    instrument = module.instrument(_first(module, "instrument"))
    placed = item_scores(instrument, ResponseStore.here(module.id).answers(instrument.id))
    return bipolar_placement([(item.text, placed.get(item.id)) for item in instrument.items],
                             title=title)


def my_practice_hours(module: Module | None = None) -> dict[str, int]:
    """The student's saved hours per activity in a typical month ({} until saved)."""
    module = module or Module.here()
    return ResponseStore.here(module.id).load().numbers(_first(module, "questions"))


def deliberate_activities(module: Module | None = None) -> list[str]:
    """The ids of the practice activities the module counts as deliberate practice."""
    module = module or Module.here()
    return [q.id for q in module.questions(_first(module, "questions")).in_group("deliberate")]


def show_practice_month(*, title: str = "My practice month beside the research",
                        module: Module | None = None) -> Any:
    """The student's saved practice month, split into its kinds, beside the research findings."""
    from coursekit.student.plots import practice_split

    module = module or Module.here()
    practice = module.questions(_first(module, "questions"))
    hours = my_practice_hours(module)
    findings = [(f.statement, f.source_text + (f": {f.size_text}" if f.size_text else ""))
                for f in module.evidence_set().findings]
    return practice_split(
        [(q.short, practice.group_label(q.group), hours.get(q.id)) for q in practice.questions],
        groups=[group.label for group in practice.groups], findings=findings, title=title)


def show_my_deliberate_practice(deliberate_share: Callable[..., Any],
                                hours_to_reach: Callable[..., Any], *, target: float = 0.10,
                                module: Module | None = None) -> None:
    """The share of the student's own month that is deliberate practice, by their functions,
    and the hours a month that would bring it to ``target``."""
    module = module or Module.here()
    hours, deliberate = my_practice_hours(module), deliberate_activities(module)
    if sum(hours.values()) == 0:
        print("No hours saved yet: fill in your practice month above and press Save answers.")
        return
    share = result_of(deliberate_share, hours, deliberate, exercise="deliberate_share")
    extra = result_of(hours_to_reach, hours, deliberate, target, exercise="hours_to_reach")
    if not done(share, extra):
        print("Not done yet: your month is saved; the share and the hours to reach your target "
              "appear here once deliberate_share and hours_to_reach are written (the exercise above).")
        return
    print(f"Deliberate practice is {share:.0%} of the {sum(hours.values())} hours in your month.")
    print(f"To reach {target:.0%}, add {extra} hours a month (about {extra / 4.3:.1f} a week).")


# --- stuck -------------------------------------------------------------------------


def show_my_checkin(*, title: str = "My check-in: the stuck moment",
                    module: Module | None = None) -> Any:
    """How strongly the student felt each feeling, as saved, and their own word last."""
    from coursekit.student.plots import feelings_checkin

    module = module or Module.here()
    checkin = module.instrument(_first(module, "instrument"))
    saved = ResponseStore.here(module.id).load()
    ratings = saved.answers(checkin.id)
    own = saved.own_answer(checkin)
    return feelings_checkin([(item.text, ratings.get(item.id)) for item in checkin.items],  # type: ignore[misc]
                            own=(own["name"], own["rating"]) if own else None, title=title)


# --- relationship ------------------------------------------------------------------


def show_my_ratings_beside_evidence(
        *, title: str = "My relationship elements beside the published evidence",
        module: Module | None = None) -> Any:
    """The student's rating of each relationship element beside its published link with outcome
    (each element is one item, and its finding in evidence.json has the element's id)."""
    from coursekit.student.plots import EffectRow, ratings_beside_evidence

    module = module or Module.here()
    elements = module.instrument(_first(module, "instrument"))
    evidence = module.evidence_set()
    mine = ResponseStore.here(module.id).answers(elements.id)
    rows = []
    for element in elements.subscales:
        (item,) = elements.items_of(element.id)
        rows.append((mine.get(item.id), EffectRow.of(evidence.finding(element.id), label=element.label)))
    return ratings_beside_evidence(rows, title=title)


def show_effect_table(d_to_r: Callable[..., Any], variance_explained: Callable[..., Any], *,
                      module: Module | None = None) -> None:
    """Every finding as published, on the scale of r (d and g converted by the student's
    ``d_to_r``) and as the share of outcome variance (by their ``variance_explained``)."""
    module = module or Module.here()
    rows, unfinished = [], False
    for finding in module.evidence_set().findings:
        published = ", ".join(effect.text for effect in finding.effects) or "no effect size"
        k = f"{finding.k:,}" if finding.k else "-"
        grade = finding.grade or "(not recorded here)"
        r_effect, other = finding.effect("r"), finding.effect("d") or finding.effect("g")
        r: Any = None
        if r_effect is not None:
            r = r_effect.value
        elif other is not None:
            r = result_of(d_to_r, other.value, exercise="d_to_r")
        if r is None:
            rows.append((finding.label, published, k, "-", "-", f"{grade}; not a correlation"))
            continue
        variance = result_of(variance_explained, r, exercise="variance_explained") if done(r) else r
        unfinished |= not done(r, variance)
        rows.append((finding.label, published, k, f"{r:6.2f}" if done(r) else "?",
                     f"{variance:9.1%}" if done(variance) else "?", grade))
    if unfinished:
        print("Not done yet: the columns marked ? fill in once d_to_r and variance_explained are "
              "written (the exercise above).\n")
    print(f"{'element':30} {'as published':36} {'k':>5} {'r':>6} {'variance':>9}  task force grade")
    for label, published, k, r_text, variance_text, grade in rows:
        print(f"{label:30} {published:36} {k:>5} {r_text:>6} {variance_text:>9}  {grade}")


# --- breakthroughs -----------------------------------------------------------------

# The module's illustrative scale values (see Exercise C) and its definition of "improved".
SCALE = {"sd_pre": 7.5, "reliability": 0.86}
POPULATIONS = (27, 7.5, 7, 6)  # clinical mean and SD, functional mean and SD
IMPROVED_BY = 8  # points below intake


def _gain_clients(gains: Any) -> tuple[set[int], set[int]]:
    """The clients with a sudden gain, and those of them whose gain reversed."""
    return {g.client for g in gains}, {g.client for g in gains if g.reversed}


def show_four_clients(cohort: SimulatedClients, flags: Any, gains: Any, *,
                      title: str = "Four clients, session by session") -> Any:
    """One client whose gain held, one whose gain reversed, one who changed steadily and one who
    did not change, with the sudden gains the student's code found drawn thick."""
    from coursekit.student.plots import trajectories

    if not done(flags, gains):
        print("Not done yet: four clients' scores appear here, their sudden gains drawn thick, "
              "once Exercise B has found the gains.")
        return None
    with_gain, _reversed = _gain_clients(gains)
    kept = next(g.client for g in gains if not g.reversed)
    undone = next((g.client for g in gains if g.reversed), kept)
    steady = next(i for i, p in enumerate(cohort.pattern) if p == "steady" and i not in with_gain)
    flat = next(i for i, p in enumerate(cohort.pattern) if p == "no_change" and i not in with_gain)
    scores: Any = cohort.scores  # an array: rows of sessions, as trajectories reads them
    return trajectories(scores, flags, [kept, undone, steady, flat],
                        labels=["gain that held", "gain that reversed", "steady change", "no change"],
                        title=title)


def show_gain_shares(cohort: SimulatedClients, gains: Any, *,
                     title: str = "Share of clients with a sudden gain") -> Any:
    """The share of clients whose sudden gain held, whose gain reversed, and with no gain."""
    from coursekit.student.plots import change_shares

    if not done(gains):
        print("Not done yet: the share of clients with a sudden gain appears here once "
              "Exercise B has found the gains.")
        return None
    n = len(cohort.scores)
    with_gain, reversed_clients = _gain_clients(gains)
    return change_shares([
        ("sudden gain that held", 100 * len(with_gain - reversed_clients) / n),
        ("sudden gain that reversed", 100 * len(reversed_clients) / n),
        ("no sudden gain", 100 * (n - len(with_gain)) / n),
    ], title=title)


def show_noise_and_gains(*, seed: int = 2026) -> Any:
    """The same 300 clients measured at four reliabilities: how many sudden gains are found,
    how many of them noise made, and how many seem to reverse."""
    from coursekit.stats.simulated_clients import gains_by_noise
    from coursekit.student.plots import noise_and_gains

    return noise_and_gains(gains_by_noise((1.0, 0.95, 0.86, 0.75), n_clients=300, seed=seed))


def show_change_categories(categories: Any, *, title: str = (
        "Reliable and clinically significant change, intake to session 19")) -> Any:
    """The share of clients in each Jacobson-Truax category, as the student's code found them."""
    import numpy as np

    from coursekit.student.plots import change_shares

    if not done(categories):
        print("Not done yet: the share of clients recovered, improved, unchanged and deteriorated "
              "appears here once Exercise C has set categories.")
        return None
    outcomes = ["recovered", "improved", "unchanged", "deteriorated", "missing"]
    found = np.asarray(categories)
    return change_shares([(name, 100 * float(np.mean(found == name))) for name in outcomes],
                         title=title)


def _dose_effect(scores: Any) -> tuple[Any, Any, float, float]:
    from coursekit.stats.dose_effect import fit_dose_effect, improvement_by_session

    curve = improvement_by_session(scores, threshold=IMPROVED_BY)
    model = fit_dose_effect(curve.sessions, curve.proportion, n=curve.n)
    return curve, model, model.sessions_for(0.5), model.sessions_for(0.75)


def show_dose_effect(scores: Any) -> Any:
    """The share of the cohort improved by each session, with a probit curve fitted to it, and
    (said, not drawn) how many have recovered by the stricter definition."""
    import numpy as np

    from coursekit.stats.reliable_change import clinical_cutoffs, jacobson_truax
    from coursekit.student.plots import dose_effect

    scores = np.asarray(scores, dtype=float)
    curve, model, half, three_quarters = _dose_effect(scores)
    print(f"Improved ({IMPROVED_BY} points below intake): half by session {half:.1f}, "
          f"three quarters by session {three_quarters:.1f}.")
    # The stricter definition: recovered, reliable change that ends below the cutoff c.
    c = clinical_cutoffs(*POPULATIONS, higher_is_better=False).c
    recovered = []
    for session in curve.sessions:
        seen = ~np.isnan(scores[:, session])
        status = jacobson_truax(scores[seen, 0], scores[seen, session], **SCALE, cutoff=c,
                                higher_is_better=False)
        recovered.append(float(np.mean(status == "recovered")))
    first = next((s for s, share in zip(curve.sessions, recovered, strict=True) if share >= 0.5), None)
    print(f"Recovered: {recovered[7]:.0%} by session 8; "
          + (f"half by session {first}." if first
             else f"{recovered[-1]:.0%} by session {curve.sessions[-1]}."))
    grid = np.linspace(1, curve.sessions[-1], 100)
    fitted: Any = (grid, model.predict(grid))
    return dose_effect(curve.sessions, curve.proportion, fitted=fitted,
                       marks=[(half, 0.5)] + ([(three_quarters, 0.75)] if three_quarters <= grid[-1]
                                              else []))


def show_prediction_beside_cohort(cohort: SimulatedClients, gains: Any, *,
                                  module: Module | None = None) -> Any:
    """The student's saved prediction beside what the cohort shows, question by question."""
    from coursekit.student.plots import prediction_vs_data

    module = module or Module.here()
    predicted = ResponseStore.here(module.id).load().numbers(_first(module, "questions"))
    half = _dose_effect(cohort.scores)[2]
    comparison: list[tuple[str, Any, float]] = []
    if done(gains):
        with_gain, reversed_clients = _gain_clients(gains)
        comparison += [
            ("clients with a sudden gain (of 100)", predicted.get("gain_percent"),
             100 * len(with_gain) / len(cohort.scores)),
            ("clients whose gain reversed (%)", predicted.get("reversal_percent"),
             100 * len(reversed_clients) / max(len(with_gain), 1)),
        ]
    else:
        print("Not done yet: your predictions of sudden gains and reversals are set beside the "
              "cohort once Exercise B has found the gains.")
    comparison.append(("sessions until half improved", predicted.get("sessions_to_half"), half))
    for question, guess, value in comparison:
        if guess is None:
            print(f"{question}: not answered; the cohort shows {value:.0f}.")
            continue
        gap = guess - value
        verdict = ("the same, to the nearest whole number" if abs(gap) < 0.5
                   else f"yours is {abs(gap):.0f} {'higher' if gap > 0 else 'lower'}")
        print(f"{question}: you predicted {guess}, the cohort shows {value:.0f}: {verdict}.")
    return prediction_vs_data(comparison)



# --- feedback ----------------------------------------------------------------------


def _alarms(caseload: Caseload, rule: Callable[..., Any], exercise: str) -> Any:
    """First-alarm sessions under the student's rule, or NotSetYet while it is not written."""
    from coursekit.stats.expected_response import first_alarms

    return result_of(first_alarms, caseload.outcome, rule, exercise=exercise)


def show_alarm_comparison(caseload: Caseload, not_on_track: Callable[..., Any],
                          reliably_worse: Callable[..., Any], *,
                          title: str = "What each method catches in the caseload, and how early") -> Any:
    """The share of the truly deteriorating clients each of the student's methods catches, the
    median session of its first alarm, and the share of the other clients it flags."""
    from coursekit.stats.expected_response import compare_alarms
    from coursekit.student.plots import alarm_comparison

    methods = [("Not on track (expected response)", _alarms(caseload, not_on_track, "not_on_track")),
               ("Reliably worse (RCI)", _alarms(caseload, reliably_worse, "reliably_worse"))]
    ready = [(label, first) for label, first in methods if done(first)]
    if not ready:
        print("Not done yet: the share of deteriorating clients each method catches appears here "
              "once not_on_track and reliably_worse are written (the exercises above).")
        return None
    for label, first in methods:
        if not done(first):
            print(f"Not done yet: {label} appears here once its function is written.")
    rows = []
    for label, first in ready:
        summary = compare_alarms(first, caseload.deteriorates)
        rows.append((label, summary.share_caught, summary.share_others, summary.median_session))
        print(f"{label}: caught {summary.caught} of the {summary.of} clients who deteriorate"
              + (f", first at a median of session {summary.median_session:g}"
                 if summary.median_session is not None else "")
              + f"; also flagged {summary.flagged_others} of the other {summary.others}.")
    return alarm_comparison(rows, outcome="deteriorate", title=title)


def show_client_track(caseload: Caseload, curves: ExpectedResponse, client: int,
                      not_on_track: Callable[..., Any], reliably_worse: Callable[..., Any], *,
                      title: str | None = None) -> Any:
    """One client's week-check scores against the expected course of their intake band and its
    tolerance, with the first session at which each of the student's methods raised the alarm."""
    from coursekit.stats.expected_response import BAND_LABELS
    from coursekit.student.plots import expected_track

    row = caseload.outcome[client]
    expected, tolerance = curves.curve(float(row[0]))
    alarms: list[tuple[str, int | None]] = []
    for label, rule, name in (("not on track", not_on_track, "not_on_track"),
                              ("reliably worse", reliably_worse, "reliably_worse")):
        first = _alarms(caseload, rule, name)
        if done(first):
            alarms.append((label, first[client]))
        else:
            print(f"Not done yet: the session where '{label}' first raises the alarm is marked "
                  f"here once {name} is written.")
    band = BAND_LABELS[curves.band(float(row[0]))]
    heading = title or f"Client {client}: intake {row[0]:.0f} ({band}), against similar clients"
    return expected_track(row.tolist(), expected.tolist(), tolerance.tolist(), alarms, title=heading)
