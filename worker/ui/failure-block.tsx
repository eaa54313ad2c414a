/** A failure on a server-rendered page: its words first, the tool's output one click away, once. */
import { explainFailure } from './failure';

export const FailureBlock = (props: { detail: string | null | undefined; lead?: string; class?: string }) => {
  const { summary, raw } = explainFailure(props.detail);
  return (
    <div class={`failure ${props.class ?? ''}`}>
      <p class="failure-summary">
        {props.lead ?? ''}
        {summary}
      </p>
      {raw && (
        <details class="failure-raw">
          <summary>Show the output</summary>
          <pre class="code wrap-code">{raw}</pre>
        </details>
      )}
    </div>
  );
};
