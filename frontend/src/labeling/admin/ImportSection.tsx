// The import dialog of a project page: the file, its format and the import
// options (docs/WORK.md, "Import options"), with upload progress and the
// report, including what became of Label Studio annotations.
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { Field } from '../../ui';
import { importFormatFor, NO_IMPORT_OPTIONS, uploadImport, type AnnotationsChoice, type ImportFormat, type ImportOptions } from '../api';
import type { ImportReport, KindTally } from '../types';

export function ImportSection({ projectId, onImported }: { projectId: number; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ImportFormat | ''>('');
  const [options, setOptions] = useState<ImportOptions>(NO_IMPORT_OPTIONS);
  const setOption = <K extends keyof ImportOptions>(k: K, v: ImportOptions[K]) => setOptions((o) => ({ ...o, [k]: v }));
  const [sent, setSent] = useState<{ loaded: number; total: number } | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const abortRef = useRef<(() => void) | null>(null);
  function pick(e: ChangeEvent<HTMLInputElement>) {
    const f = e.target.files?.[0] ?? null;
    setFile(f);
    setReport(null);
    setError(null);
    if (f) setFormat(importFormatFor(f.name) ?? '');
  }
  async function upload(e: FormEvent) {
    e.preventDefault();
    if (!file) {
      setError('Choose a file to import.');
      return;
    }
    if (!format) {
      setError('Choose the file format (JSONL, CSV or Label Studio JSON).');
      return;
    }
    setError(null);
    setReport(null);
    setSent({ loaded: 0, total: file.size });
    const up = uploadImport(projectId, file, format, (loaded, total) => setSent({ loaded, total }), options);
    abortRef.current = up.abort;
    try {
      setReport(await up.promise);
      onImported();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      abortRef.current = null;
      setSent(null);
    }
  }
  const pct = sent && sent.total ? Math.round((sent.loaded / sent.total) * 100) : 0;
  return (
    <section className="card" aria-labelledby="import-heading">
      <h2 id="import-heading">Import items</h2>
      <p className="muted">JSONL (one item per line), CSV with a header row, or a Label Studio JSON export. A bad line stops the import and nothing is added.</p>
      <form onSubmit={upload} className="import-form">
        <div className="field">
          <label htmlFor="import-file">File to import</label>
          <input id="import-file" type="file" accept=".jsonl,.ndjson,.csv,.json" onChange={pick} />
        </div>
        <div className="field">
          <label htmlFor="import-format">Format</label>
          <select id="import-format" value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
            <option value="">Choose…</option>
            <option value="jsonl">JSONL</option>
            <option value="csv">CSV</option>
            <option value="labelstudio">Label Studio JSON</option>
          </select>
        </div>
        <ImportOptionsFields options={options} set={setOption} />
        <div className="task-actions">
          <button type="submit" className="btn btn-primary" disabled={!!sent}>
            {sent ? 'Uploading…' : 'Upload and import'}
          </button>
          {sent && (
            <button type="button" className="btn" onClick={() => abortRef.current?.()}>
              Cancel upload
            </button>
          )}
        </div>
      </form>
      {sent && (
        <div className="upload-progress">
          <label htmlFor="import-progress">
            {pct < 100 ? `Uploading: ${pct}% (${(sent.loaded / 1e6).toFixed(1)} of ${(sent.total / 1e6).toFixed(1)} MB)` : 'Uploaded; the server is checking every record…'}
          </label>
          <progress id="import-progress" className="bar" max={100} value={pct} />
        </div>
      )}
      {error && (
        <div className="alert alert-error" role="alert">
          <strong>The import failed; nothing was added.</strong> <span className="import-error">{typeof error === 'string' ? error : error.message}</span>
        </div>
      )}
      {report && (
        <div className="alert alert-ok" role="status" data-testid="import-report">
          <strong>Imported {report.imported.toLocaleString()} items</strong> from {report.records.toLocaleString()} records
          {report.duplicates ? `; ${report.duplicates.toLocaleString()} duplicates skipped` : ''}
          {report.rejected ? `; ${report.rejected.toLocaleString()} rejected` : ''}.
          {report.first_error && <div className="small">First problem: {report.first_error}</div>}
          <AnnotationCounts report={report} />
        </div>
      )}
    </section>
  );
}

const ANNOTATION_CHOICES: { value: AnnotationsChoice; label: string }[] = [
  { value: '', label: 'Not chosen (a file with annotations is refused)' },
  { value: 'predictions', label: 'Predictions: shown to labellers as suggestions' },
  { value: 'prior', label: 'Prior annotations: external work, counts for agreement and exports, earns no units' },
  { value: 'gold', label: 'Gold: the item’s gold answer' },
  { value: 'drop', label: 'Drop them' },
];

/** The import options: plain form controls, so Tab and the arrow keys reach every one. */
function ImportOptionsFields({ options, set }: { options: ImportOptions; set: <K extends keyof ImportOptions>(k: K, v: ImportOptions[K]) => void }) {
  return (
    <fieldset className="import-options">
      <legend>Import options</legend>
      <div className="field">
        <label htmlFor="import-annotations">Label Studio annotations</label>
        <select id="import-annotations" value={options.annotations} onChange={(e) => set('annotations', e.target.value as AnnotationsChoice)}>
          {ANNOTATION_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <Field label="Id field" value={options.id_field} onChange={(e) => set('id_field', e.target.value)} maxLength={200} hint="A data field whose value becomes the item’s external id." />
      <Field
        label="Gold field"
        value={options.gold_field}
        onChange={(e) => set('gold_field', e.target.value)}
        maxLength={200}
        hint="A data field holding the gold label: stored as gold and hidden from labellers."
      />
      <Field label="Priority" type="number" value={options.priority} onChange={(e) => set('priority', e.target.value)} hint="For records that set none; higher is served first." />
      <div className="field">
        <label>
          <input type="checkbox" checked={options.sensitive} onChange={(e) => set('sensitive', e.target.checked)} /> Mark every item sensitive
        </label>
      </div>
    </fieldset>
  );
}

/** What became of a Label Studio file's predictions and annotations. */
function AnnotationCounts({ report }: { report: ImportReport }) {
  const a = report.annotations;
  if (!a) return null;
  const total = (k: KindTally) => k.kept + k.converted + k.dropped;
  if (total(a.predictions) + total(a.annotations) === 0) return null;
  const line = (name: string, k: KindTally) => {
    const reasons = Object.entries(k.dropped_reasons ?? {})
      .map(([r, n]) => `${n} ${r}`)
      .join('; ');
    return `${name}: kept ${k.kept}, converted ${k.converted}, dropped ${k.dropped}${reasons ? ` (${reasons})` : ''}`;
  };
  return (
    <ul className="small" data-testid="import-annotations">
      <li>{line('Predictions', a.predictions)}</li>
      <li>{line('Annotations', a.annotations)}</li>
      <li>Prior annotations stored: {report.prior_annotations ?? 0}</li>
    </ul>
  );
}
