/** Every Elasticsearch route the emulator serves. */
import type { RouteDef } from "../router";
import { catRoutes } from "./cat";
import { clusterRoutes } from "./cluster";
import { inferRoutes } from "./infer";
import { indexRoutes } from "./indices";
import { inferenceEndpointRoutes } from "./inferenceEndpoints";
import { mlInfoRoutes } from "./mlInfo";
import { modelPartRoutes } from "./modelParts";
import { modelRoutes } from "./models";
import { nodeRoutes } from "./nodes";
import { pipelineRoutes } from "./pipelines";
import { securityRoutes } from "./security";
import { startRoutes } from "./start";
import { statsRoutes } from "./stats";
import { stopRoutes } from "./stop";
import { taskRoutes } from "./tasks";
import { updateRoutes } from "./update";

export const ROUTES: RouteDef[] = [
  ...clusterRoutes,
  ...modelRoutes,
  ...modelPartRoutes,
  ...statsRoutes,
  ...startRoutes,
  ...stopRoutes,
  ...updateRoutes,
  ...inferRoutes,
  ...inferenceEndpointRoutes,
  ...mlInfoRoutes,
  ...pipelineRoutes,
  ...securityRoutes,
  ...taskRoutes,
  ...nodeRoutes,
  ...catRoutes,
  ...indexRoutes,
];
