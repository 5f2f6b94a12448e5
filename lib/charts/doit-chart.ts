import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { PostgresCredentials, PostgresStatefulSet } from '../postgres';

export interface DoitChartProps extends ChartProps {
  /**
   * Name of a Secret in the chart's namespace holding `password` and `DATABASE_URL` for
   * the database user `doit` (see the README).
   * @default "postgres-credentials"
   */
  readonly databaseSecretName?: string;
}

/** The doit system on MicroK8s. */
export class DoitChart extends Chart {
  public readonly postgres: PostgresStatefulSet;

  constructor(scope: Construct, id: string, props: DoitChartProps = {}) {
    super(scope, id, { namespace: 'doit', ...props });
    this.postgres = new PostgresStatefulSet(this, 'Postgres', {
      databaseName: 'doit_prod',
      username: 'doit',
      credentials: PostgresCredentials.fromExistingSecret(props.databaseSecretName ?? 'postgres-credentials'),
      labels: { 'app.kubernetes.io/part-of': 'doit' },
    });
  }
}
