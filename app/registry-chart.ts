import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';
import { LocalRegistry, LocalRegistryProps } from '../lib/registry';

export interface RegistryChartProps extends ChartProps {
  readonly registry: LocalRegistryProps;
}

/** The in-cluster registry, in a chart without namespace (it spans container-registry and kube-public). */
export class RegistryChart extends Chart {
  public readonly registry: LocalRegistry;

  constructor(scope: Construct, id: string, props: RegistryChartProps) {
    super(scope, id, { ...props, namespace: undefined });
    this.registry = new LocalRegistry(this, 'Registry', props.registry);
  }
}
