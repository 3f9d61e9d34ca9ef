// Renders the editor of a task type once its lazy chunk is loaded.
import { useEffect, useState, type MutableRefObject } from 'react';
import { loadEditor, loadedEditor } from './editors';
import type { EditorModule, KeyHandler } from './editors/types';
import type { Answer, ItemData, TaskType } from './types';

export function useEditorModule(t: TaskType | null | undefined): { mod: EditorModule | null; error: Error | null } {
  const [state, setState] = useState<{ t: TaskType | null | undefined; mod: EditorModule | null; error: Error | null }>(() => ({
    t,
    mod: t ? (loadedEditor(t) ?? null) : null,
    error: null,
  }));
  useEffect(() => {
    if (!t) return;
    const hit = loadedEditor(t);
    if (hit) {
      setState({ t, mod: hit, error: null });
      return;
    }
    let live = true;
    loadEditor(t).then(
      (mod) => live && setState({ t, mod, error: null }),
      (error: Error) => live && setState({ t, mod: null, error }),
    );
    return () => {
      live = false;
    };
  }, [t]);
  return state.t === t ? { mod: state.mod, error: state.error } : { mod: t ? (loadedEditor(t) ?? null) : null, error: null };
}

export function TaskEditor({
  mod,
  schema,
  data,
  answer,
  onChange,
  keyRef,
  readOnly,
}: {
  mod: EditorModule;
  schema: unknown;
  data: ItemData;
  answer: Answer;
  onChange: (a: Answer) => void;
  keyRef: MutableRefObject<KeyHandler | null>;
  readOnly?: boolean;
}) {
  const E = mod.Editor;
  return <E schema={schema} data={data} answer={answer} onChange={onChange} keyRef={keyRef} readOnly={readOnly} />;
}
