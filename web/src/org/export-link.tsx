/**
 * Downloads the organisation as its YAML file (GET /api/v1/config/export), to keep in git and
 * change with `watchkeeper plan` and `apply`. A plain link: the browser sends the session cookie
 * with a GET and saves the answer, so no script has to hold the file. Integration keys are never
 * in it (the file says so in its header).
 */
export function ExportOrgLink() {
  return (
    <a className="btn" href="/api/v1/config/export" download="watchkeeper-org.yaml" title="The whole organisation as a file to keep in git; apply it with watchkeeper apply -f">
      Export YAML
    </a>
  );
}
