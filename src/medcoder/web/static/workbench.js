// medcoder workbench (an ES module, served as it is: no build step, nothing from another
// site). It links evidence and codes both ways and sends review actions to the /v1 API;
// after an action the parts of the page it changed are put in place, server-rendered.
// One module per concern, under static/workbench/:
//   core.js       the encounter, the API, parts put in place, one action at a time,
//                 selection, the flash and the live region (#announce)
//   actions.js    card buttons, claim-panel fixes, forms, POA; move and sequence
//   drag.js       drag to resequence
//   finalize.js   the confirm summary, then the next encounter
//   typeahead.js  code suggestions over the release in force
//   keys.js       keyboard shortcuts
import { select, workbench } from "./workbench/core.js";
import { installActions } from "./workbench/actions.js";
import { installDrag } from "./workbench/drag.js";
import { installFinalize } from "./workbench/finalize.js";
import { installKeys } from "./workbench/keys.js";
import { installTypeahead } from "./workbench/typeahead.js";

const bench = document.getElementById("workbench");
if (bench) {
  const wb = workbench(bench);
  installActions(wb);
  installDrag(wb);
  const dialog = installFinalize(wb);
  installTypeahead(wb);
  installKeys(wb, dialog);
  const first = wb.cards()[0];
  if (first) select(wb, first.dataset.key, { scroll: false });
}
