// Options of the Windows chain engine's store arrangement, shared by `iis` and `azureVm` targets.
import type { LeafStore } from "../../providers/windows/contract";
import type { BindingSpec } from "../../providers/windows/planner";

export interface WindowsOptions {
  /** The IIS binding: site, port, ip ("*"), host (SNI). */
  binding: BindingSpec;
  /** Where the leaf and its key go; default My. */
  leafStore?: LeafStore;
  /** Mark the imported key exportable; default false. */
  exportableKey?: boolean;
  /** Set DisableRootAutoUpdate=1 (the host then stops receiving new roots); default false. */
  disableRootAutoUpdate?: boolean;
  /** Remove the previously bound leaf once no IIS binding, http.sys entry or RDP uses it; default false (programs that keep a thumbprint in their own settings, such as SQL Server, are not seen). */
  removeOldLeaf?: boolean;
}
