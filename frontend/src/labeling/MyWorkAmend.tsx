// Reopening a submission that has not been reviewed yet and saving an amended answer.
import { useEffect, useRef, useState } from 'react';
import type { ApiError } from '../api';
import { useSession } from '../auth';
import { ErrorAlert } from '../ui';
import { labelApi } from './api';
import type { KeyHandler } from './editors/types';
import { newIdempotencyKey } from './submitQueue';
import { TaskEditor, useEditorModule } from './TaskEditor';
import type { Answer, MySubmission, Project } from './types';

export function Amend({ sub, onDone }: { sub: MySubmission; onDone: (a: Answer | null) => void }) {
  const { me } = useSession();
  const [project, setProject] = useState<Project | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ApiError | string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyRef = useRef<KeyHandler | null>(null);
  const idem = useRef(newIdempotencyKey());
  const { mod } = useEditorModule(project?.task_type);
  useEffect(() => {
    labelApi.project(sub.project_id).then(setProject, setError);
  }, [sub.project_id]);
  useEffect(() => {
    if (mod && project && answer === null) setAnswer(mod.from(project.schema, sub.data, { memberId: me?.id ?? 0, itemId: sub.item_id }, sub.answer));
  }, [mod, project, answer, sub, me]);
  async function save() {
    if (!mod || !project || !answer) return;
    const problem = mod.validate(project.schema, sub.data, answer);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      const final = mod.toAnswer(project.schema, sub.data, answer);
      const res = await labelApi.amend(sub.id, idem.current, final);
      onDone(res?.answer ?? final);
    } catch (e) {
      const err = e as ApiError;
      setError(err.code === 'already_reviewed' ? 'A reviewer has already looked at this submission, so it can no longer be changed.' : err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="amend">
      <ErrorAlert error={error} />
      {(!mod || !project || !answer) && !error && <p className="muted">Loading the editor…</p>}
      {mod && project && answer && <TaskEditor mod={mod} schema={project.schema} data={sub.data} answer={answer} onChange={setAnswer} keyRef={keyRef} />}
      <div className="task-actions">
        <button type="button" className="btn btn-primary" disabled={busy || !answer} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save amended answer'}
        </button>
        <button type="button" className="btn" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
