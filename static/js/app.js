// Progressive enhancement only: every page works without this file.
import { initAll } from "/assets/nhsuk-frontend.min.js";

initAll();
