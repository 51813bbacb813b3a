/** What `pulumi up` runs in `ml/` (`main: ../dist/ml.js`); the returned object becomes the stack outputs. */
import { mlProgram, mlSettingsFromStackConfig } from "./index";

export = () => mlProgram(mlSettingsFromStackConfig());
