// The labeller's workbench: one task at a time, keyboard first.
// By default Enter submits (Ctrl/Cmd+Enter inside text boxes), S skips,
// Ctrl+Z undoes, I toggles the instructions, ? lists every shortcut; each
// member may remap them (keymap.ts, Account → Keyboard shortcuts).
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api';
import { useSession } from '../auth';
import { Link } from '../router';
import { ErrorAlert } from '../ui';
import { PageHeading } from '../pages/PageHeading';
import { labelApi } from './api';
import { Dialog } from './Dialog';
import { loadEditor } from './editors';
import { Kbd } from './editors/common';
import type { EditorModule, KeyHandler, Shortcut } from './editors/types';
import { isTypingTarget } from './keys';
import { DEFAULT_KEYMAP, KeymapContext, keyLabel, keyOf, keymapOf, type Keymap } from './keymap';
import { AffectedButton, BreakScreen } from './Wellbeing';
import { wellbeingApi, type MyWellbeing } from './wellbeingApi';
import { Markdown } from './markdown';
import { newIdempotencyKey, pendingFor, savePending, submitBody, submitWithRetry, type PendingSubmit } from './submitQueue';
import { TaskEditor } from './TaskEditor';
import { SuggestionNote, SuggestionReveal } from './suggestion';
import { LiveEarnings } from '../live/LiveEarnings';
import type { Answer, FirstAnswerResult, MyProgress, MySettings, Project, Task } from './types';

type Phase = 'loading' | 'task' | 'done' | 'blocked' | 'break' | 'forced' | 'error';

const BLOCKED: Record<string, string> = {
  no_tasks: 'There is nothing left for you to label in this project right now. Thank you!',
  stint_reached: 'You have reached today’s limit for this project. It resets tomorrow — time for a rest.',
  project_paused: 'This project is paused by its coordinator. Check back later.',
  project_closed: 'This project is closed.',
  project_not_open: 'This project is not open for labelling yet.',
  not_project_member: 'You are not a member of this project. Ask a coordinator to add you.',
  sensitive_cap_reached: 'You have seen today’s limit of sensitive items. Take care of yourself; more tomorrow.',
  sensitive_budget_spent: 'You have spent today’s minutes of sensitive content. Only sensitive items are left here; more tomorrow.',
  sensitive_paused: 'Your sensitive work is paused, and only sensitive items are left here. Resume it from the wellbeing bar when you are ready.',
  wellbeing_break: 'Time for a short break after a run of sensitive items.',
};

declare global {
  interface Window {
    __copyholdAdvance?: number[];
  }
}

const fmt = (n: number) => n.toLocaleString('en-GB');

export function WorkbenchPage({ projectId }: { projectId: number }) {
  const { me } = useSession();
  const memberId = me?.id ?? 0;
  const [project, setProject] = useState<Project | null>(null);
  const [mine, setMine] = useState<MyProgress | null>(null);
  const [settings, setSettings] = useState<MySettings | null>(null);
  const [phase, setPhase] = useState<Phase>('loading');
  const [blocked, setBlocked] = useState<ApiError | null>(null);
  const [task, setTask] = useState<Task | null>(null);
  const [mod, setMod] = useState<EditorModule | null>(null);
  const [answer, setAnswerState] = useState<Answer>({});
  const [error, setError] = useState<ApiError | string | null>(null);
  // What the answer still lacks, checked again on every change so it clears.
  const [invalid, setInvalid] = useState<string | null>(null);
  // A valid answer that may be an accident waits for an explicit confirmation.
  const [confirming, setConfirming] = useState<{ question: string; action: string } | null>(null);
  const [banner, setBanner] = useState('');
  const [leaseLost, setLeaseLost] = useState(false);
  const [lateKept, setLateKept] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [revealed, setRevealed] = useState(false);
  const [showHelp, setShowHelp] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [skipReason, setSkipReason] = useState('');
  const [instrOpen, setInstrOpen] = useState(() => localStorage.getItem(`copyhold.instr.${projectId}`) !== 'closed');
  const [lastAdvance, setLastAdvance] = useState<number | null>(null);
  const [keymap, setKeymap] = useState<Keymap>(DEFAULT_KEYMAP);
  const [wellbeing, setWellbeing] = useState<MyWellbeing | null>(null);
  const [breakUntil, setBreakUntil] = useState<string | null>(null);
  const [careMsg, setCareMsg] = useState('');
  // Under the after_answer policy: the first answer once recorded, with the suggestion it revealed.
  const [first, setFirst] = useState<FirstAnswerResult | null>(null);

  const keyRef = useRef<KeyHandler | null>(null);
  const history = useRef<Answer[]>([]);
  const idemKeys = useRef(new Map<number, string>());
  const startedAt = useRef(0);
  const advanceStart = useRef<number | null>(null);
  const lastActivity = useRef(Date.now());
  const lastBeat = useRef(Date.now());
  const dirty = useRef(false);
  const taskRef = useRef<HTMLDivElement>(null);
  const live = useRef(true);

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const refreshMine = useCallback(() => {
    labelApi.myProgress(projectId).then(
      (m) => live.current && setMine(m),
      () => {},
    );
  }, [projectId]);

  const claimNext = useCallback(async () => {
    setError(null);
    setInvalid(null);
    setConfirming(null);
    setLeaseLost(false);
    setLateKept(false);
    try {
      const t = await labelApi.next(projectId);
      const m = await loadEditor(t.task_type);
      if (!live.current) return;
      const ctx = { memberId, itemId: t.item_id };
      // Up front, the suggestion is the starting answer; after_answer never has one here.
      const upFront = t.suggestion_policy === 'up_front' && t.prediction;
      const start = t.draft ? m.from(t.schema, t.data, ctx, t.draft) : upFront ? m.from(t.schema, t.data, ctx, t.prediction!) : m.empty(t.schema, t.data, ctx);
      setFirst(null);
      if (t.suggestion_policy === 'after_answer' && t.first_answer) {
        // Resumed after the first answer: the same reveal again (the server keeps the first answer).
        labelApi.firstAnswer(t.lease_token, t.first_answer).then(
          (r) => live.current && setFirst(r),
          () => {},
        );
      }
      history.current = [];
      dirty.current = false;
      startedAt.current = performance.now();
      lastBeat.current = Date.now();
      setRevealed(!t.sensitive);
      setMod(m);
      setAnswerState(start);
      setTask(t);
      setPhase('task');
    } catch (e) {
      if (!live.current) return;
      const err = e as ApiError;
      advanceStart.current = null;
      if (err.code === 'wellbeing_break') {
        // The server holds every claim until the break ends; it says when.
        const w = await wellbeingApi.mine().catch(() => null);
        if (!live.current) return;
        if (w) setWellbeing(w);
        setTask(null);
        setBreakUntil(w?.break_until ?? new Date(Date.now() + 60_000).toISOString());
        setPhase('forced');
        return;
      }
      if (err.code === 'no_tasks' || err.status === 409 || err.status === 403) {
        setBlocked(err);
        setTask(null);
        setPhase(err.code === 'no_tasks' ? 'done' : 'blocked');
      } else {
        setError(err);
        setPhase('error');
      }
    }
  }, [projectId, memberId]);

  // Boot: project, counters, settings; resend answers saved on this device; then a task.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const p = await labelApi.project(projectId);
        if (cancelled) return;
        setProject(p);
        void loadEditor(p.task_type).catch(() => {});
      } catch (e) {
        if (!cancelled) {
          setError(e as ApiError);
          setPhase('error');
        }
        return;
      }
      refreshMine();
      labelApi.mySettings().then(
        (s) => !cancelled && setSettings(s),
        () => {},
      );
      wellbeingApi.shortcuts().then(
        (r) => !cancelled && setKeymap(keymapOf(r.shortcuts ?? [])),
        () => {},
      );
      wellbeingApi.mine().then(
        (w) => !cancelled && setWellbeing(w),
        () => {},
      );
      const pending = pendingFor(projectId);
      if (pending.length) {
        setBanner(`Sending ${pending.length} answer${pending.length === 1 ? '' : 's'} saved on this device…`);
        for (const p of pending) {
          try {
            await submitWithRetry(p, {
              send: (x) => labelApi.submit(submitBody(x)),
              onRetry: (_e, _a, d) => !cancelled && setBanner(`Cannot reach the server. Your saved answer is safe on this device; retrying in ${Math.ceil(d / 1000)} s…`),
            });
          } catch {
            // A definite refusal (e.g. the lease is gone and the item full): the server kept a draft.
          }
        }
        if (!cancelled) setBanner('');
      }
      if (!cancelled) await claimNext();
    })();
    return () => {
      cancelled = true;
    };
  }, [projectId, claimNext, refreshMine]);

  // Enter → next task interactive: measured after the new task has been committed.
  useEffect(() => {
    if (!task || advanceStart.current === null) return;
    const ms = performance.now() - advanceStart.current;
    advanceStart.current = null;
    (window.__copyholdAdvance ??= []).push(ms);
    setLastAdvance(ms);
  }, [task]);

  // Focus the new task so the keyboard keeps working.
  useEffect(() => {
    if (!task) return;
    const el = taskRef.current;
    const target = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el;
    target?.focus({ preventScroll: false });
  }, [task?.assignment_id]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (revealed && task?.sensitive) taskRef.current?.focus();
  }, [revealed, task?.sensitive]);

  const setAnswer = useCallback((a: Answer) => {
    setAnswerState((prev) => {
      history.current.push(prev);
      if (history.current.length > 200) history.current.shift();
      return a;
    });
    dirty.current = true;
    lastActivity.current = Date.now();
  }, []);

  const undo = useCallback(() => {
    const prev = history.current.pop();
    if (prev) {
      setAnswerState(prev);
      dirty.current = true;
    }
  }, []);

  // Draft autosave, debounced.
  useEffect(() => {
    if (!task || !mod || !dirty.current) return;
    const t = setTimeout(() => {
      let draft: Answer;
      try {
        draft = mod.toAnswer(task.schema, task.data, answer);
      } catch {
        return;
      }
      labelApi.draft(task.lease_token, draft).catch((e: ApiError) => {
        if (e.code === 'lease_lost') setLeaseLost(true);
      });
    }, 1000);
    return () => clearTimeout(t);
  }, [answer, task, mod]);

  // Lease heartbeat, every third of the lease.
  useEffect(() => {
    if (!task || phase !== 'task') return;
    const leaseMs = project?.lease_seconds ? project.lease_seconds * 1000 : Math.max(30_000, Date.parse(task.lease_expires_at) - Date.now());
    const every = Math.max(5_000, Math.floor(leaseMs / 3));
    const onActivity = () => (lastActivity.current = Date.now());
    window.addEventListener('keydown', onActivity, true);
    window.addEventListener('pointerdown', onActivity, true);
    const timer = setInterval(() => {
      const now = Date.now();
      const active = lastActivity.current > lastBeat.current ? now - lastBeat.current : 0;
      lastBeat.current = now;
      labelApi.heartbeat(task.lease_token, active).then(
        () => live.current && setLeaseLost(false),
        (e: ApiError) => {
          if (e.code === 'lease_lost') setLeaseLost(true);
        },
      );
    }, every);
    return () => {
      clearInterval(timer);
      window.removeEventListener('keydown', onActivity, true);
      window.removeEventListener('pointerdown', onActivity, true);
    };
  }, [task, phase, project?.lease_seconds]);

  // A change to the answer re-checks what was missing and drops a pending confirmation.
  useEffect(() => {
    setConfirming(null);
    if (!task || !mod) return;
    setInvalid((was) => (was === null ? null : mod.validate(task.schema, task.data, answer)));
  }, [answer, task, mod]);

  const submit = useCallback(async (confirmed = false) => {
    if (!task || !mod || submitting) return;
    if (!revealed) {
      setError('Reveal the item (R) before answering it.');
      return;
    }
    const problem = mod.validate(task.schema, task.data, answer);
    setInvalid(problem);
    if (problem) {
      setError(null);
      return;
    }
    const ask = confirmed ? null : (mod.confirm?.(task.schema, task.data, answer) ?? null);
    if (ask) {
      setConfirming(ask);
      return;
    }
    setConfirming(null);
    if (task.suggestion_policy === 'after_answer' && !first) {
      // The first answer goes first; only then does the server reveal the suggestion.
      setSubmitting(true);
      setError(null);
      try {
        const r = await labelApi.firstAnswer(task.lease_token, mod.toAnswer(task.schema, task.data, answer));
        if (!live.current) return;
        setFirst(r);
        if (r.suggestion && !r.matches) {
          // Revealed: the labeller looks, may change, and submits again.
          setSubmitting(false);
          return;
        }
      } catch (e) {
        if (live.current) {
          setError(e as ApiError);
          setSubmitting(false);
        }
        return;
      }
    }
    const enterAt = performance.now();
    let key = idemKeys.current.get(task.assignment_id);
    if (!key) {
      key = newIdempotencyKey();
      idemKeys.current.set(task.assignment_id, key);
    }
    const pending: PendingSubmit = {
      lease_token: task.lease_token,
      idempotency_key: key,
      answer: mod.toAnswer(task.schema, task.data, answer),
      lead_time_ms: Math.round(enterAt - startedAt.current),
      project_id: projectId,
      item_id: task.item_id,
      saved_at: Date.now(),
    };
    savePending(pending);
    setSubmitting(true);
    setError(null);
    try {
      await submitWithRetry(pending, {
        send: (x) => labelApi.submit(submitBody(x)),
        onRetry: (e, _a, d) => {
          const msg = e instanceof ApiError && e.status === 0 ? 'Cannot reach the server' : 'The server is having trouble';
          if (live.current) setBanner(`${msg}. Your answer is safe on this device and will be sent — retrying in ${Math.ceil(d / 1000)} s…`);
        },
      });
      if (!live.current) return;
      setBanner('');
      setMine((m) => (m ? { ...m, done_today: m.done_today + 1, items_left: Math.max(0, m.items_left - 1), stint_left: m.stint_left === null ? null : Math.max(0, m.stint_left - 1) } : m));
      advanceStart.current = enterAt;
      await claimNext();
      refreshMine();
    } catch (e) {
      if (!live.current) return;
      setBanner('');
      const err = e as ApiError;
      if (err.code === 'lease_lost') {
        setLeaseLost(true);
        setLateKept(true);
      } else setError(err);
    } finally {
      if (live.current) setSubmitting(false);
    }
  }, [task, mod, submitting, revealed, answer, projectId, claimNext, refreshMine, first]);

  const doSkip = useCallback(
    async (e?: FormEvent) => {
      e?.preventDefault();
      if (!task) return;
      setSkipping(false);
      try {
        await labelApi.skip(task.lease_token, skipReason.trim());
      } catch (err) {
        const ae = err as ApiError;
        if (ae.code !== 'lease_lost') {
          setError(ae);
          return;
        }
      }
      setSkipReason('');
      advanceStart.current = null;
      await claimNext();
    },
    [task, skipReason, claimNext],
  );

  // The suggestion the labeller may start from: up front, or revealed after the first answer.
  const suggestion = task?.prediction ?? first?.suggestion ?? null;
  const usePrediction = useCallback(() => {
    if (!task || !suggestion || !mod) return;
    setAnswer(mod.from(task.schema, task.data, { memberId, itemId: task.item_id }, suggestion));
  }, [task, suggestion, mod, memberId, setAnswer]);

  const toggleInstr = useCallback(() => {
    setInstrOpen((o) => {
      localStorage.setItem(`copyhold.instr.${projectId}`, o ? 'closed' : 'open');
      return !o;
    });
  }, [projectId]);

  const takeBreak = useCallback(async () => {
    if (task) await labelApi.release(task.lease_token).catch(() => {});
    setTask(null);
    setPhase('break');
  }, [task]);

  // Global keys, as the member mapped them (keymap.ts; GET /api/me/shortcuts).
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (showHelp || skipping || e.defaultPrevented || e.isComposing) return;
      const typing = isTypingTarget(e.target);
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit();
        return;
      }
      if (typing) {
        if (e.key === 'Escape') (e.target as HTMLElement).blur();
        return;
      }
      const k = keyOf(e);
      if (!k) return;
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (k === keymap.submit) {
        // Enter on a button or link activates it.
        if (k === 'Enter' && (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY')) return;
        if (phase === 'task') {
          e.preventDefault();
          void submit();
        }
        return;
      }
      if (k === keymap.undo) {
        e.preventDefault();
        undo();
        return;
      }
      if (k === keymap.help) {
        e.preventDefault();
        setShowHelp(true);
        return;
      }
      if (k === keymap.instructions) {
        e.preventDefault();
        toggleInstr();
        return;
      }
      if (phase !== 'task' || !task) return;
      if (!revealed) {
        if (k === keymap.reveal) {
          e.preventDefault();
          setRevealed(true);
        } else if (k === keymap.skip) {
          e.preventDefault();
          setSkipping(true);
        }
        return;
      }
      if (keyRef.current?.(e)) {
        e.preventDefault();
        return;
      }
      if (k === keymap.skip) {
        e.preventDefault();
        setSkipping(true);
      } else if (k === keymap.prediction && suggestion) {
        e.preventDefault();
        usePrediction();
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [showHelp, skipping, submit, undo, toggleInstr, phase, task, revealed, usePrediction, keymap, suggestion]);

  const shortcuts: Shortcut[] = useMemo(
    () => [
      { keys: keyLabel(keymap.submit), action: 'Submit (Ctrl+Enter inside a text box)' },
      { keys: keyLabel(keymap.skip), action: 'Skip this item (you can give a reason)' },
      { keys: keyLabel(keymap.undo), action: 'Undo your last change to this task' },
      { keys: keyLabel(keymap.instructions), action: 'Show or hide the instructions' },
      ...(suggestion ? [{ keys: keyLabel(keymap.prediction), action: 'Start again from the suggestion' }] : []),
      ...(task?.sensitive ? [{ keys: keyLabel(keymap.reveal), action: 'Reveal the sensitive item' }] : []),
      { keys: 'Esc', action: 'Leave a text box / close a dialog' },
      { keys: keyLabel(keymap.help), action: 'Show these shortcuts' },
      ...(mod && task ? mod.shortcuts(task.schema, keymap) : []),
    ],
    [mod, task, keymap, suggestion],
  );

  const isModeration = project?.task_type === 'moderation';
  const sensitiveLeft = mine?.sensitive_left_today;

  return (
    <div className="workbench" data-advance-ms={lastAdvance === null ? undefined : Math.round(lastAdvance)}>
      <PageHeading title={project ? project.name : 'Work'} />
      <div className="wb-bar">
        <p className="wb-progress" aria-live="polite">
          {mine ? (
            <>
              <strong>{fmt(mine.done_today)}</strong> today · <strong>{fmt(mine.items_left)}</strong> {mine.items_left === 1 ? 'item' : 'items'} left in this project
              {mine.stint_left !== null && (
                <>
                  {' '}
                  · <strong>{fmt(mine.stint_left)}</strong> left in today’s stint
                </>
              )}
            </>
          ) : (
            <span className="muted">Loading your progress…</span>
          )}
        </p>
        <div className="wb-actions">
          <button type="button" className="btn btn-small" onClick={toggleInstr} aria-expanded={instrOpen} aria-controls="wb-instructions">
            Instructions <Kbd k={keymap.instructions} />
          </button>
          <button type="button" className="btn btn-small" onClick={() => setShowHelp(true)}>
            Shortcuts <Kbd k={keymap.help} />
          </button>
          <Link to="/work" className="btn btn-small">
            All projects
          </Link>
        </div>
      </div>

      {project && <LiveEarnings modelId={project.model_id} />}
      {banner && (
        <div className="alert alert-warn wb-banner" role="status">
          {banner}
        </div>
      )}
      {leaseLost && (
        <div className="alert alert-warn" role="alert">
          {lateKept
            ? 'Your hold on this item ran out and the item is already full, so this answer was not counted. The server kept it as a draft; nothing you typed is lost.'
            : 'Your hold on this item has run out. Keep going: your work stays here and submitting still tries — the server accepts late work while the item has room.'}
          {lateKept && (
            <div className="wb-inline-actions">
              <button type="button" className="btn btn-small btn-primary" onClick={() => void claimNext()}>
                Get the next task
              </button>
            </div>
          )}
        </div>
      )}

      {project && (
        <section id="wb-instructions" className="card wb-instructions" aria-label="Instructions" hidden={!instrOpen}>
          <h2>Instructions</h2>
          {project.instructions.trim() ? <Markdown source={project.instructions} /> : <p className="muted">This project has no written instructions.</p>}
        </section>
      )}

      {(isModeration || task?.sensitive || wellbeing?.paused || careMsg) && settings && (
        <CareBar settings={settings} left={sensitiveLeft} onBreak={takeBreak} onSettings={setSettings} onChanged={refreshMine}>
          {wellbeing && (
            <>
              <p>
                Sensitive minutes today: <strong>{Math.floor(wellbeing.used_ms / 60_000)}</strong> of {wellbeing.budget_minutes}
              </p>
              {wellbeing.paused ? (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() =>
                    void wellbeingApi.resume().then((w) => {
                      setWellbeing(w);
                      setCareMsg('Sensitive work resumed.');
                    })
                  }
                >
                  Resume sensitive work
                </button>
              ) : (
                <AffectedButton
                  projectId={projectId}
                  hasContact={wellbeing.has_contact}
                  onPaused={(msg) => {
                    setCareMsg(msg);
                    setWellbeing({ ...wellbeing, paused: true });
                    if (task?.sensitive) void takeBreak();
                  }}
                />
              )}
              <span className="hint" role="status">
                {careMsg}
              </span>
            </>
          )}
        </CareBar>
      )}

      {phase === 'loading' && <p className="muted">Getting your next task…</p>}
      {phase === 'error' && (
        <>
          <ErrorAlert error={error} />
          <button type="button" className="btn" onClick={() => void claimNext()}>
            Try again
          </button>
        </>
      )}
      {(phase === 'done' || phase === 'blocked') && (
        <section className="empty-state" aria-labelledby="wb-empty">
          <h2 id="wb-empty">{phase === 'done' ? 'All done here' : 'No task for now'}</h2>
          <p>{(blocked && BLOCKED[blocked.code]) ?? blocked?.message}</p>
          {blocked?.code === 'no_tasks' && blocked.message.includes('opted into') && <p>{blocked.message}.</p>}
          <p>
            <Link to="/work/mine">See my work</Link> · <Link to="/work">Other projects</Link>
          </p>
        </section>
      )}
      {phase === 'forced' && breakUntil && (
        <BreakScreen
          until={breakUntil}
          onResume={() => {
            setBreakUntil(null);
            void claimNext();
          }}
        />
      )}
      {phase === 'break' && (
        <section className="empty-state" aria-labelledby="wb-break">
          <h2 id="wb-break">On a break</h2>
          <p>Your item was handed back. Come back when you are ready.</p>
          <p>
            <button type="button" className="btn btn-primary" onClick={() => void claimNext()}>
              Resume labelling
            </button>
          </p>
        </section>
      )}

      {phase === 'task' && task && mod && (
        <div className="card task" ref={taskRef} tabIndex={-1} aria-label="Task" data-task-id={task.item_id} data-assignment={task.assignment_id}>
          {task.prediction && task.suggestion_policy === 'up_front' && <SuggestionNote meta={task.suggestion_meta} />}
          {first?.suggestion && <SuggestionReveal mine={first.first_answer} suggestion={first.suggestion} meta={first.suggestion_meta} matches={first.matches} />}
          {suggestion && (
            <p className="wb-prediction">
              <button type="button" className="btn btn-small" onClick={usePrediction} disabled={!revealed}>
                Start again from the suggestion <Kbd k={keymap.prediction} />
              </button>
            </p>
          )}
          <div className={`task-body${revealed ? '' : ' veiled'}${wellbeing?.greyscale === false ? '' : ' greyscale'}`}>
            {!revealed && (
              <div className="veil" role="group" aria-label="Content warning">
                <p>
                  <strong>Content warning.</strong> This item is marked sensitive. It stays hidden until you choose to see it.
                </p>
                <button type="button" className="btn btn-primary" data-autofocus onClick={() => setRevealed(true)}>
                  Reveal <Kbd k={keymap.reveal} />
                </button>{' '}
                <button type="button" className="btn" onClick={() => setSkipping(true)}>
                  Skip it <Kbd k={keymap.skip} />
                </button>
              </div>
            )}
            <div className="task-editor" inert={!revealed} aria-hidden={!revealed || undefined}>
              <KeymapContext.Provider value={keymap}>
                <TaskEditor key={task.assignment_id} mod={mod} schema={task.schema} data={task.data} answer={answer} onChange={setAnswer} keyRef={keyRef} />
              </KeymapContext.Provider>
            </div>
          </div>
          <ErrorAlert error={error ?? invalid} />
          {confirming && (
            <div className="alert alert-warn" role="alert">
              <p>{confirming.question}</p>
              <div className="wb-inline-actions">
                <button type="button" className="btn btn-small" onClick={() => void submit(true)}>
                  {confirming.action}
                </button>
              </div>
            </div>
          )}
          <div className="task-actions">
            <button type="button" className="btn btn-primary" disabled={submitting} onClick={() => void submit()}>
              {submitting ? 'Submitting…' : task.suggestion_policy === 'after_answer' && !first ? 'Answer' : 'Submit'} <Kbd k={keymap.submit} />
            </button>
            <button type="button" className="btn" disabled={submitting} onClick={() => setSkipping(true)}>
              Skip <Kbd k={keymap.skip} />
            </button>
            <button type="button" className="btn" disabled={history.current.length === 0} onClick={undo}>
              Undo <Kbd k={keymap.undo} />
            </button>
          </div>
        </div>
      )}

      {showHelp && (
        <Dialog title="Keyboard shortcuts" onClose={() => setShowHelp(false)}>
          <table className="table shortcuts">
            <thead>
              <tr>
                <th scope="col">Keys</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {shortcuts.map((s, i) => (
                <tr key={i}>
                  <td>
                    <kbd className="kbd">{s.keys}</kbd>
                  </td>
                  <td>{s.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="btn" onClick={() => setShowHelp(false)}>
            Close
          </button>
        </Dialog>
      )}
      {skipping && (
        <Dialog title="Skip this item?" onClose={() => setSkipping(false)}>
          <form onSubmit={doSkip}>
            <div className="field">
              <label htmlFor="skip-reason">Reason (optional)</label>
              <input id="skip-reason" data-autofocus value={skipReason} maxLength={500} onChange={(e) => setSkipReason(e.target.value)} />
              <p className="hint">Enter skips; Esc goes back to the item.</p>
            </div>
            <div className="task-actions">
              <button type="submit" className="btn btn-primary">
                Skip item
              </button>
              <button type="button" className="btn" onClick={() => setSkipping(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </div>
  );
}

function CareBar({
  settings,
  left,
  onBreak,
  onSettings,
  onChanged,
  children,
}: {
  settings: MySettings;
  left: number | null | undefined;
  onBreak: () => void;
  onSettings: (s: MySettings) => void;
  onChanged: () => void;
  children?: ReactNode;
}) {
  const [cap, setCap] = useState(String(settings.sensitive_daily_cap));
  const [msg, setMsg] = useState<string>('');
  const [err, setErr] = useState<ApiError | string | null>(null);
  async function save(e: FormEvent) {
    e.preventDefault();
    const n = Number(cap);
    if (!Number.isInteger(n) || n < 0 || n > settings.coop_sensitive_max) {
      setErr(`Choose a whole number from 0 to ${settings.coop_sensitive_max}.`);
      return;
    }
    setErr(null);
    try {
      await labelApi.setMySettings(n);
      onSettings({ ...settings, sensitive_daily_cap: n });
      setMsg(`Your daily cap is now ${n}.`);
      onChanged();
    } catch (x) {
      setErr(x as ApiError);
    }
  }
  return (
    <section className="care" aria-label="Wellbeing">
      <p>
        Sensitive items left today: <strong>{left ?? '—'}</strong> (your cap {settings.sensitive_daily_cap}; co-op maximum {settings.coop_sensitive_max})
      </p>
      <form className="care-form" onSubmit={save}>
        <label htmlFor="care-cap">My daily sensitive cap</label>
        <input id="care-cap" type="number" min={0} max={settings.coop_sensitive_max} value={cap} onChange={(e) => setCap(e.target.value)} />
        <button type="submit" className="btn btn-small">
          Set cap
        </button>
      </form>
      <button type="button" className="btn btn-small" onClick={onBreak}>
        Take a break
      </button>
      {children}
      <span className="hint" role="status">
        {msg}
      </span>
      <ErrorAlert error={err} />
    </section>
  );
}

export default WorkbenchPage;
