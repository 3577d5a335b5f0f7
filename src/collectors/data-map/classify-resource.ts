// Which Terraform resource types are data stores, which are systems that process data, which are public
// entry points, and which only shape the network (used to find flows, never drawn themselves).

export type ResourceRole = 'store' | 'system' | 'entry' | 'security-group' | 'network';

const STORE =
  /(db_instance|rds_cluster|_database|database_|_sql_|sql_server|sql_database|mssql|mysql|postgres|mariadb|cosmosdb|dynamodb|documentdb|docdb|elasticache|redis|memcache|s3_bucket$|storage_bucket|storage_account|storage_container|storage_blob|storage_share|blockstorage|ebs_volume|managed_disk|_disk$|_volume$|efs_file_system|fsx_|bigquery_(dataset|table)|bigtable|spanner|firestore|datastore|keyspaces|neptune|redshift|opensearch|elasticsearch|kinesis|sqs_queue|msk_cluster|backup_vault|glacier)/;
const ENTRY =
  /(_lb$|_alb$|_elb$|load_?balancer|application_gateway|cloudfront|front_?door|cdn_|api_gateway|apigateway|_ingress$)/;
const SYSTEM =
  /(_instance$|virtual_machine|launch_template|launch_configuration|autoscaling_group|lambda_function|function_app|app_service|web_app|linux_web_app|cloud_run|cloudfunctions|container_|ecs_service|ecs_task|eks_cluster|aks|kubernetes_cluster|k8s_cluster|k8s_pool|node_pool|compute_instance|batch_)/;
const SECURITY_GROUP = /(security_group$|network_security_group$|firewall$|compute_firewall$)/;

export function resourceRole(resourceType: string): ResourceRole {
  // Some providers version their types (`_v2`); the role does not change with the version.
  const type = resourceType.replace(/_v\d+$/, '');
  if (SECURITY_GROUP.test(type)) return 'security-group';
  // Checked before stores: `aws_db_instance` is a store even though it ends in `_instance`.
  if (STORE.test(type)) return 'store';
  if (ENTRY.test(type)) return 'entry';
  if (SYSTEM.test(type)) return 'system';
  return 'network';
}

/** The provider a resource type belongs to (`aws_db_instance` -> `aws`): the default trust boundary. */
export function providerOf(type: string): string {
  return type.split('_')[0] ?? type;
}
