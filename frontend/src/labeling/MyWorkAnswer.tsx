// A My work line's item and answer as the labeller saw and gave them: the
// chosen label, the spans in the text, the preferred response… through the
// reviewer's read-only views, with nothing marked as differing.
import type { Disagreement } from '../review/api';
import { AnswerView, ItemView } from '../review/AnswerView';
import type { Answer, ItemData, TaskType } from './types';

const ALONE: Disagreement = { unanimous: true, keys: [], differing: [] };

export function MyWorkAnswer({ taskType, schema, data, answer, label, item = true }: { taskType: TaskType; schema: unknown; data: ItemData; answer: Answer; label: string; item?: boolean }) {
  return (
    <section className="mw-answer" aria-label={label}>
      {item && <ItemView taskType={taskType} schema={schema} data={data} />}
      <h3 className="item-label">{label}</h3>
      <AnswerView taskType={taskType} schema={schema} data={data} answer={answer} answerKey={[]} d={ALONE} count={1} />
    </section>
  );
}
