// Starts the nhsuk-frontend components on the page (header menu, skip link, error summary focus, tables).
import { initAll } from './nhsuk-frontend.min.js';

initAll();
