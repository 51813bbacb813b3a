/**
 * The id checks every model creation shares, custom upload and packaged download alike
 * (`TransportPutTrainedModelAction`: an id may name neither an existing model alias nor a deployment).
 */
import { statusException } from "../errors";
import type { Cluster } from "../state/cluster";

/** @throws Elasticsearch's 400 when `id` is already a model alias or a deployment id. */
export function assertModelIdFree(cluster: Cluster, id: string): void {
  if (cluster.models.aliases.has(id)) {
    throw statusException(
      400,
      `requested model_id [${id}] is the same as an existing model_alias. Model model_aliases and ids must be unique`,
    );
  }
  if (cluster.deployments.has(id)) {
    throw statusException(
      400,
      `Cannot create model [${id}] the id is the same as an current model deployment`,
    );
  }
}
