/** Thrown by a command that has already printed its outcome and only needs a non-zero exit code. */
export class QuietExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "QuietExit";
  }
}
