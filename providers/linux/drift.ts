// Why a deployed file no longer matches what was deployed, in words a person acts on. Pure:
// it compares the hash recorded at deployment with the one read from the host.

/** A content whose hash we can recognise on the host ("the leaf only"). */
export interface KnownContent {
  sha256: string;
  description: string;
}

export interface RecordedFile {
  path: string;
  sha256: string;
}

/** The hash of a file on the host; null when the file is missing. */
export interface LiveFile {
  path: string;
  sha256: string | null;
}

/** Why the file on the host differs from the deployed one; undefined when it does not. */
export function explainFileDrift(file: RecordedFile, live: readonly LiveFile[], known: readonly KnownContent[]): string | undefined {
  const now = live.find((f) => f.path === file.path);
  if (!now || now.sha256 === null) return `${file.path} is missing on the host`;
  if (now.sha256 === file.sha256) return undefined;
  const recognised = known.find((k) => k.sha256 === now.sha256);
  return `${file.path} changed on the host${recognised ? `: it now holds ${recognised.description}` : ""}`;
}
