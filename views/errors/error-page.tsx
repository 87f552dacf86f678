/** The friendly error page: what happened, what to do, and the request id for support. */
export function ErrorBody({ status, message, requestId }: { status: number; message: string; requestId: string }) {
  const title = status === 404 ? "Not found" : status === 403 ? "Not allowed" : status >= 500 ? "Something went wrong" : "That did not work";
  return (
    <section class="card narrow" aria-labelledby="error-title">
      <h1 id="error-title">{title}</h1>
      <p>{message}</p>
      <p class="hint">
        Error {status}. If you contact support, mention request <code>{requestId}</code>.
      </p>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </section>
  );
}
