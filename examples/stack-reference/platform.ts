/** What `pulumi up` runs in `platform/` (`main: ../dist/platform.js`); the returned object becomes the stack outputs. */
import { platformProgram, platformSettingsFromStackConfig } from "./index";

export = () => platformProgram(platformSettingsFromStackConfig());
