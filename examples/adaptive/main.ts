/**
 * What `pulumi up` runs (`main: dist/main.js` in Pulumi.yaml). A module whose export is a function is called
 * by Pulumi, and what the function returns becomes the stack outputs.
 */
import { program, settingsFromStackConfig } from "./index";

export = () => program(settingsFromStackConfig());
