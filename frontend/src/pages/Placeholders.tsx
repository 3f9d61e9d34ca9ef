// Areas whose features are not built yet say so plainly.
import { PageHeading } from './PageHeading';

export function WorkPage() {
  return (
    <>
      <PageHeading title="Work" lead="Label data for the co-op's models. Accepted work earns equity units." />
      <section className="empty-state" aria-labelledby="work-empty">
        <h2 id="work-empty">Nothing to label yet</h2>
        <p>Labelling tasks arrive with the labelling feature; there is no work queued for you yet.</p>
      </section>
    </>
  );
}

export function RoleNeededPage({ role, area }: { role: string; area: string }) {
  return (
    <>
      <PageHeading title={`You need the ${role} role`} />
      <section className="empty-state" aria-label="Role needed">
        <p>
          <strong>{area}</strong> is open to members with the <strong>{role}</strong> role. Ask a coordinator of the co-op if you
          should have it.
        </p>
      </section>
    </>
  );
}

export function NotFoundPage() {
  return (
    <>
      <PageHeading title="Page not found" />
      <p>There is no page at this address. Use the navigation to find your way.</p>
    </>
  );
}
