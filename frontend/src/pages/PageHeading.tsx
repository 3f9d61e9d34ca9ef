export function PageHeading({ title, lead }: { title: string; lead?: string }) {
  return (
    <header className="page-heading">
      {/* tabIndex -1 lets the shell move focus here after client-side navigation. */}
      <h1 tabIndex={-1}>{title}</h1>
      {lead && <p className="lead">{lead}</p>}
    </header>
  );
}
