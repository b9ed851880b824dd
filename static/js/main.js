/* The browser code of every page (templates/base.html loads it as a module). Each concern is a module of its own;
   the maps' code comes with the maps (maps.js). Without scripts every page works too, only less at once. */

import {whenParsed} from "./dom.js";
import {wireGeolocation} from "./near.js";
import {focusErrors, focusResults, wirePrint} from "./page.js";
import {wireSuggestions} from "./suggestions.js";

whenParsed(() => {
  wirePrint();
  focusErrors();
  focusResults();
  wireSuggestions();
  wireGeolocation();
});
