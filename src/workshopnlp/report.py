"""Stage 5 – reports: execute the notebooks (papermill) and render HTML (nbconvert).

For each notebook in ``notebooks/`` a reader version without code (for the project group) and a
researcher version with code, plus ``index.html`` linking them and the figures. The HTML is
self-contained: images are embedded, the nbconvert template loads no CDN scripts, plotly is not used.
The notebooks read the same processed files and write nothing but their own output, so they run side by
side (``report.notebook_workers``); they are checked, post-processed and rendered in their order.
Everything is built in a temporary folder that replaces ``reports/<workshop>/`` only when every
notebook succeeded; a failing notebook is named with its cell, and the previous report stays.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from .config import WorkshopPaths, load_params, params_override
from .errors import WorkshopError
from .provenance import atomic_directory, provenance_record, sha256_file, write_json

NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
KERNEL = "python3"
_TITLE = re.compile(r"^#\s+(.+)$", re.M)


def default_notebooks_dir() -> Path:
    """The repository's ``notebooks/`` (the package is installed editable from the repository)."""
    return Path(__file__).resolve().parents[2] / "notebooks"


def list_notebooks(notebooks_dir: Path) -> list[Path]:
    """The numbered notebooks in ``notebooks_dir``, each checked to be a readable notebook before any runs."""
    found = sorted(Path(notebooks_dir).glob(NOTEBOOK_PATTERN))
    if not found:
        raise WorkshopError("ingen notebooks fundet", file=notebooks_dir,
                            fix="angiv mappen med de nummererede notebooks med --notebooks-dir")
    for path in found:
        read_notebook_json(path)
    return found


def read_notebook_json(path: Path) -> dict[str, Any]:
    """A notebook file's JSON, or a :class:`WorkshopError` naming the file, the line and the fix: a notebook
    broken by a merge or a half-saved edit stopped the reports with a traceback."""
    pair = Path(path).with_suffix(".py")
    fix = (f"byg den igen fra sin tekstudgave: .venv/bin/jupytext --sync {pair}" if pair.exists()
           else "hent en hel udgave af notebooken (fx git checkout -- " + str(path) + ")")
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise WorkshopError("notebooken er ikke gemt som UTF-8-tekst", file=path,
                            location=f"byte {exc.start}", fix=fix) from exc
    except json.JSONDecodeError as exc:
        raise WorkshopError("notebooken er ikke gyldig JSON (ødelagt ved en fletning eller en halvt gemt ændring?)",
                            file=path, location=f"linje {exc.lineno}, kolonne {exc.colno}", fix=fix) from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise WorkshopError("filen er ikke en notebook: den har ingen liste af celler («cells»)", file=path, fix=fix)
    return nb


def notebook_title(path: Path) -> str:
    nb = read_notebook_json(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = _TITLE.search("".join(cell["source"]))
            if m:
                return m.group(1).strip()
    return path.stem


def _exporter(exclude_input: bool):
    from nbconvert import HTMLExporter

    template_dir = resources.files("workshopnlp").joinpath("templates/nbconvert")
    exporter = HTMLExporter(template_name="workshopnlp", extra_template_basedirs=[str(template_dir)])
    exporter.language_code = "da"  # <html lang="da">: browsers and screen readers read the page as Danish
    exporter.exclude_input = exclude_input
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.embed_images = True
    return exporter


_REMOTE = re.compile(r"""<(script|link)\b[^>]*(src|href)\s*=\s*["']https?://[^"']*["'][^>]*>(\s*</script>)?""", re.I)


def strip_remote_assets(page: str) -> str:
    """Remove any remaining <script src=http…> / <link href=http…> so nothing is fetched from the web."""
    return _REMOTE.sub("", page)


def failed_notebooks_dir(reports_dir: Path, workshop_id: str) -> Path:
    """Where the executed copy of a notebook that failed is kept (``reports/<workshop>_fejlet/``): the report
    being built is thrown away with its temporary folder, and the previous report stays as it was."""
    return Path(reports_dir) / f"{workshop_id}_fejlet"


def execute_notebook(src: Path, dest: Path, parameters: dict[str, Any], cwd: Path,
                     failed_dir: Path | None = None) -> None:
    """Run ``src`` with papermill into ``dest``. If a cell fails, the executed copy (outputs up to the failing
    cell and its traceback) is copied to ``failed_dir`` and the error names that copy."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    try:
        # The kernel is started in ``cwd`` through nbclient's resources, not papermill's ``cwd=``: that one
        # changes the working directory of this whole process for the run, and notebooks run side by side
        # in threads, so one run's chdir would undo another's and a kernel could start in the wrong folder
        # (where the relative data paths in its parameters lead nowhere).
        pm.execute_notebook(str(src), str(dest), parameters=parameters, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(cwd)}},
                            progress_bar=False, log_output=False, report_mode=False,
                            # The kernel's own messages are noise for the person running the job: start-up
                            # warnings, and "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel" when it
                            # is shut down after the last cell. A failing cell is reported by papermill itself.
                            extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except PapermillExecutionError as exc:
        cell = _original_cell_number(dest, exc.cell_index)
        kept = dest
        if failed_dir is not None and dest.exists():
            failed_dir.mkdir(parents=True, exist_ok=True)
            kept = failed_dir / dest.name
            shutil.copyfile(dest, kept)
        raise WorkshopError(
            f"notebooken fejlede i celle {cell} ({exc.ename}: {exc.evalue})", file=src,
            location=f"celle {cell}",
            fix=f"ret fejlen (den udførte notebook med fejlen er gemt i {kept}) og kør igen; den forrige "
                "rapport er bevaret") from exc


def _original_cell_number(executed: Path, cell_index: int) -> int:
    """1-based number of the failing cell in the notebook as the researcher sees it (without the
    parameters cell papermill injects)."""
    try:
        cells = json.loads(executed.read_text(encoding="utf-8"))["cells"][:cell_index]
    except (OSError, ValueError, KeyError):
        return cell_index + 1
    injected = sum(1 for c in cells if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return cell_index - injected + 1


def notebook_workers(params: dict[str, Any], n_notebooks: int) -> int:
    """How many notebooks run at once: ``report.notebook_workers``, 0 = one per CPU core."""
    wanted = int((params.get("report") or {}).get("notebook_workers", 1))
    if wanted < 0:
        raise WorkshopError(f"report.notebook_workers er {wanted}", fix="brug 0 (én pr. kerne) eller et positivt tal")
    return max(1, min(n_notebooks, wanted or os.cpu_count() or 1))


def render_reports(workshop_id: str, data_dir: Path, reports_dir: Path, params: dict[str, Any] | None = None,
                   notebooks_dir: Path | None = None, progress: Callable[[str], None] | None = None) -> Path:
    """Build ``reports_dir/<workshop_id>/`` (index.html, reader/ and researcher/ HTML, figures/)."""
    from .figures import build_figures

    params = params or load_params()
    notebooks_dir = Path(notebooks_dir or default_notebooks_dir())
    notebooks = list_notebooks(notebooks_dir)
    data_dir, reports_dir = Path(data_dir).resolve(), Path(reports_dir).resolve()
    target = reports_dir / workshop_id
    statements = data_dir / "processed" / workshop_id / "statements.parquet"
    if not statements.exists():
        raise WorkshopError(f"workshoppen '{workshop_id}' har ingen bearbejdede data", file=statements,
                            fix=f"kør: workshopnlp run --workshop {workshop_id} --data-dir {data_dir}")
    if reports_dir.exists() and not reports_dir.is_dir():
        raise WorkshopError("rapportmappen er en fil, ikke en mappe", file=reports_dir,
                            fix="vælg en mappe med --reports-dir")
    if reports_dir.exists() and not _writable(reports_dir):
        raise WorkshopError("rapportmappen er skrivebeskyttet", file=reports_dir,
                            fix="giv skriveadgang eller vælg en anden mappe med --reports-dir")
    failed_dir = failed_notebooks_dir(reports_dir, workshop_id)
    shutil.rmtree(failed_dir, ignore_errors=True)  # a failure of an earlier build is not this build's
    with atomic_directory(target) as tmp:
        figures = build_figures(workshop_id, data_dir, tmp / "figures", params)
        executed_dir = tmp / "udfoerte_notebooks"
        executed_dir.mkdir()
        (tmp / "laeser").mkdir()
        (tmp / "forsker").mkdir()
        pages = [(nb.stem, notebook_title(nb)) for nb in notebooks]
        heading = workshop_heading(workshop_id, data_dir)
        # The run's parameters reach the pages as what --params changed (params_override: {} with none), not as
        # the whole table: small cells, thresholds and texts on the pages follow the same values as the figures.
        arguments = {"workshop_id": workshop_id, "data_dir": portable_path(data_dir, notebooks_dir),
                     "params_override": params_override(params)}
        with ThreadPoolExecutor(notebook_workers(params, len(notebooks))) as pool:
            runs = [pool.submit(execute_notebook, nb, executed_dir / nb.name, dict(arguments), notebooks_dir,
                                 failed_dir)
                    for nb in notebooks]
            try:
                for i, (nb, run) in enumerate(zip(notebooks, runs)):
                    if progress:
                        progress(nb.stem)
                    run.result()  # the first failing notebook in their order is the one named
                    _finish_page(executed_dir / nb.name, pages, i, heading, tmp, target, notebooks_dir)
            except BaseException:
                for run in runs:
                    run.cancel()
                raise
        (tmp / "index.html").write_text(index_page(workshop_id, pages, figures, heading), encoding="utf-8")
        inputs = {p.name: sha256_file(p) for p in notebooks}
        processed = data_dir / "processed" / workshop_id
        for p in sorted(processed.rglob("*")):
            # Not the pipeline's own stamps (.pipeline/<step>.json): they record the previous run, so the same
            # inputs would give another provenance record after a run on other inputs.
            hidden = any(part.startswith(".") for part in p.relative_to(processed).parts)
            if p.is_file() and not hidden and p.suffix in (".parquet", ".csv", ".json") and "provenance" not in p.name:
                inputs[str(p.relative_to(processed))] = sha256_file(p)
        write_json(tmp / "report.provenance.json", provenance_record(
            "report", inputs, {"figures": params["figures"], "params_override": arguments["params_override"]},
            {"workshop_id": workshop_id, "notebooks": [n for n, _ in pages]}))
    return target


def _finish_page(executed: Path, pages: list[tuple[str, str]], i: int, heading: str, tmp: Path, target: Path,
                 notebooks_dir: Path) -> None:
    """Title an executed notebook, point it at the finished report, drop its timings, and render its reader
    (no code) and researcher pages."""
    import nbformat

    node = nbformat.read(str(executed), as_version=4)
    node.metadata["title"] = f"{pages[i][1]} – {heading}"
    final_paths(node, tmp, target, notebooks_dir)
    without_timings(node)
    nbformat.write(node, str(executed))
    for folder, exclude in (("laeser", True), ("forsker", False)):
        body, _ = _exporter(exclude).from_notebook_node(node, resources={"workshopnlp_nav": page_nav(pages, i, folder)})
        (tmp / folder / f"{pages[i][0]}.html").write_text(strip_remote_assets(body), encoding="utf-8")


def portable_path(path: Path, start: Path) -> str:
    """``path`` relative to ``start`` (the folder the notebooks run in), as the notebooks are given it: a
    researcher page then shows ``data_dir = "../data"``, not the analyst's home folder, and the same inputs
    give the same pages on every machine. Absolute only where no relative path exists (another drive)."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()
    except ValueError:
        return str(path)


def final_paths(node, tmp: Path, target: Path, notebooks_dir: Path) -> None:
    """Point an executed notebook (its cells, outputs and papermill's record) at where the report will be,
    ``target``, instead of the temporary folder it was built in, which is gone once the report is in place,
    so that no random folder name makes two runs differ. Its paths stay relative to ``notebooks_dir``, where
    it ran: to rerun it, copy it there (its parameters cell then finds ``../data``). The
    parameters cell papermill injects gets a fixed id for the same reason (papermill draws a random one, and
    the HTML carries it)."""
    import nbformat

    pairs = [(str(tmp), str(target)), (portable_path(tmp, notebooks_dir), portable_path(target, notebooks_dir))]

    def fix(value):
        if isinstance(value, str):
            for old, new in pairs:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [fix(v) for v in value]
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return value

    for cell in node.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        cell.source = fix(cell.source)
        for output in cell.get("outputs", []):
            for key in ("text", "data"):
                if key in output:
                    output[key] = nbformat.from_dict(fix(output[key]))
    record = node.metadata.get("papermill")
    if record:
        record["parameters"] = fix(record.get("parameters", {}))
        for key in ("input_path", "output_path"):
            if record.get(key):
                record[key] = portable_path(fix(record[key]), notebooks_dir)


#: What papermill and the kernel record about when a cell ran; it makes two runs of the same inputs differ.
TIMING_KEYS = ("start_time", "end_time", "duration")


def without_timings(node) -> None:
    """Drop execution times from an executed notebook (papermill's start, end and duration for the notebook
    and each cell; the kernel's ``execution`` timestamps), so the same inputs give the same file. Whether a
    cell failed (papermill's ``status`` and ``exception``) is kept."""
    for meta in [node.metadata, *(cell.get("metadata", {}) for cell in node.cells)]:
        record = meta.get("papermill")
        if isinstance(record, dict):
            for key in TIMING_KEYS:
                record.pop(key, None)
        meta.pop("execution", None)


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)


def page_nav(pages: list[tuple[str, str]], i: int, folder: str) -> str:
    """The navigation bar of report page ``i`` in ``folder`` ("laeser" or "forsker"): back to the overview,
    the previous and next report, and the same page with or without code."""
    stem = pages[i][0]
    links = ['<a href="../index.html">Alle rapporter</a>']
    if i > 0:
        links.append(f'<a href="{pages[i - 1][0]}.html" rel="prev">← {html.escape(pages[i - 1][1])}</a>')
    if i + 1 < len(pages):
        links.append(f'<a href="{pages[i + 1][0]}.html" rel="next">{html.escape(pages[i + 1][1])} →</a>')
    other, what = ("forsker", "med kode") if folder == "laeser" else ("laeser", "uden kode")
    links.append(f'<a href="../{other}/{stem}.html">Samme side {what}</a>')
    return f'<nav class="workshopnlp-nav" aria-label="Rapporterne">{"".join(links)}</nav>'


def workshop_heading(workshop_id: str, data_dir: Path) -> str:
    """The name the pages carry: ``title`` from the workshop's ``workshop.yaml`` (as ingest recorded it in
    ``manifest.inferred.yaml``) and the date, «Borgerpanel om data og AI, 15. marts 2023»; without a title
    «Dataetisk workshop 15. marts 2023»."""
    import yaml

    from .reporting import workshop_label

    manifest = WorkshopPaths(Path(data_dir), workshop_id).processed / "manifest.inferred.yaml"
    data = yaml.safe_load(manifest.read_text("utf-8")) if manifest.is_file() else None
    title = str((data or {}).get("title") or "").strip()
    label = workshop_label(workshop_id)
    if not title:
        return f"Dataetisk workshop {label}"
    return title if label.casefold() in title.casefold() else f"{title}, {label}"


def index_page(workshop_id: str, pages: list[tuple[str, str]], figures: dict[str, Any],
               heading: str | None = None) -> str:
    from .reporting import workshop_label

    heading = html.escape(heading or f"Dataetisk workshop {workshop_label(workshop_id)}")
    items = "\n".join(f'<li><a href="laeser/{stem}.html">{html.escape(title)}</a> '
                      f'<span class="small">(<a href="forsker/{stem}.html">med kode</a>)</span></li>'
                      for stem, title in pages)
    figs = "\n".join(
        f'<li><a href="figures/{Path(f["png"]).name}">{html.escape(f["title"])}</a> '
        f'<span class="small">(<a href="figures/{Path(f["svg"]).name}">SVG</a>)</span></li>'
        for f in figures.get("figures", {}).values())
    skipped = "".join(f"<li>{html.escape(s['title'] if 'title' in s else s.get('name', ''))}: "
                      f"{html.escape(s['reason'])}</li>" for s in figures.get("skipped", []))
    skipped_html = f"<h2>Figurer der ikke kunne laves</h2><ul>{skipped}</ul>" if skipped else ""
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>{heading} – rapporter</title>
<style>body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.5;
padding:0 1rem}} .small{{font-size:.85em;color:#555}} h1{{font-size:1.6rem}}</style></head>
<body><h1>{heading}</h1>
<p>Rapporterne er lavet af workshopnlp ud fra workshoppens noter og skriftlige svar. Personoplysninger er
fjernet. Start med den første rapport: den forklarer, hvordan analysen er lavet, og hvor sikker den er.</p>
<h2>Rapporter</h2><ol>{items}</ol>
<h2>Figurer</h2><ul>{figs}</ul>{skipped_html}
<p class="small">Workshop-id: {html.escape(workshop_id)}. Proveniens: <a href="report.provenance.json">report.provenance.json</a>.</p>
</body></html>
"""
