/**
 * Unit files of real-node test nodes: the tutorial's (the recorder-based host
 * tests use them too), their 1.24+ and containerd forms, and the harness's own
 * boot unit. Texts only; shape.ts lays them out.
 */

/** The tutorial's docker.service, with a second EnvironmentFile that must survive the edit. */
export const TUTORIAL_DOCKER_SERVICE = `[Unit]
Description=Docker Application Container Engine
Documentation=http://docs.docker.io

[Service]
WorkingDirectory=/data/k8s/docker
Environment="PATH=/opt/k8s/bin:/bin:/sbin:/usr/bin:/usr/sbin"
EnvironmentFile=-/run/flannel/docker
EnvironmentFile=-/etc/sysconfig/docker-extra
ExecStart=/opt/k8s/bin/dockerd $DOCKER_NETWORK_OPTIONS
ExecReload=/bin/kill -s HUP $MAINPID
Restart=on-failure
RestartSec=5
LimitNOFILE=infinity
Delegate=yes
KillMode=process

[Install]
WantedBy=multi-user.target
`;

export const TUTORIAL_FLANNELD_SERVICE = `[Unit]
Description=Flanneld overlay address etcd agent
After=network.target
After=network-online.target
Wants=network-online.target
After=etcd.service
Before=docker.service

[Service]
Type=notify
ExecStart=/opt/k8s/bin/flanneld \\
  -etcd-cafile=/etc/kubernetes/cert/ca.pem \\
  -etcd-certfile=/etc/flanneld/cert/flanneld.pem \\
  -etcd-keyfile=/etc/flanneld/cert/flanneld-key.pem \\
  -etcd-endpoints=https://172.27.137.240:2379 \\
  -etcd-prefix=/kubernetes/network \\
  -iface=eth0 \\
  -ip-masq
ExecStartPost=/opt/k8s/bin/mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS -d /run/flannel/docker
Restart=always
RestartSec=5
StartLimitInterval=0

[Install]
WantedBy=multi-user.target
RequiredBy=docker.service
`;

export function tutorialKubeletService(name: string): string {
    return `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/GoogleCloudPlatform/kubernetes
After=docker.service
Requires=docker.service

[Service]
WorkingDirectory=/data/k8s/k8s/kubelet
ExecStart=/opt/k8s/bin/kubelet \\
  --allow-privileged=true \\
  --bootstrap-kubeconfig=/etc/kubernetes/kubelet-bootstrap.kubeconfig \\
  --cert-dir=/etc/kubernetes/cert \\
  --cni-conf-dir=/etc/cni/net.d \\
  --container-runtime=docker \\
  --container-runtime-endpoint=unix:///var/run/dockershim.sock \\
  --root-dir=/data/k8s/k8s/kubelet \\
  --kubeconfig=/etc/kubernetes/kubelet.kubeconfig \\
  --config=/etc/kubernetes/kubelet-config.yaml \\
  --hostname-override=${name} \\
  --pod-infra-container-image=registry.cn-beijing.aliyuncs.com/images_k8s/pause-amd64:3.1 \\
  --image-pull-progress-deadline=15m \\
  --volume-plugin-dir=/data/k8s/k8s/kubelet/kubelet-plugins/volume/exec/ \\
  --logtostderr=true \\
  --v=2
Restart=always
RestartSec=5
StartLimitInterval=0

[Install]
WantedBy=multi-user.target
`;
}

/** The tutorial's docker.service on a node that never had Flannel: no /run/flannel EnvironmentFile. */
export const DOCKER_SERVICE_WITHOUT_FLANNEL = TUTORIAL_DOCKER_SERVICE.replace(
    "EnvironmentFile=-/run/flannel/docker\n",
    "",
);

/** docker.service that also names flanneld as a hard dependency (a common edit of the tutorial's unit). */
export const DOCKER_SERVICE_REQUIRES_FLANNELD = TUTORIAL_DOCKER_SERVICE.replace(
    "[Unit]\n",
    "[Unit]\nAfter=network-online.target firewalld.service flanneld.service\nWants=network-online.target\nRequires=flanneld.service\n",
);

/** kubelet 1.24+ (no dockershim flags), one flag per line like the tutorial, on a CRI endpoint. */
export function modernKubeletService(name: string, endpoint: string, after: string): string {
    return `[Unit]
Description=Kubernetes Kubelet
Documentation=https://github.com/GoogleCloudPlatform/kubernetes
After=${after}
Wants=${after}

[Service]
WorkingDirectory=/data/k8s/k8s/kubelet
ExecStart=/opt/k8s/bin/kubelet \\
  --bootstrap-kubeconfig=/etc/kubernetes/kubelet-bootstrap.kubeconfig \\
  --cert-dir=/etc/kubernetes/cert \\
  --container-runtime-endpoint=${endpoint} \\
  --root-dir=/data/k8s/k8s/kubelet \\
  --kubeconfig=/etc/kubernetes/kubelet.kubeconfig \\
  --config=/etc/kubernetes/kubelet-config.yaml \\
  --hostname-override=${name} \\
  --pod-infra-container-image=registry.k8s.io/pause:3.9 \\
  --volume-plugin-dir=/data/k8s/k8s/kubelet/kubelet-plugins/volume/exec/ \\
  --v=2
Restart=always
RestartSec=5
StartLimitInterval=0

[Install]
WantedBy=multi-user.target
`;
}

/** cri-dockerd's packaged unit (Mirantis), ExecStart pointing at the stand-in, still on kubenet. */
export const CRI_DOCKER_SERVICE = `[Unit]
Description=CRI Interface for Docker Application Container Engine
Documentation=https://docs.mirantis.com
After=network-online.target firewalld.service docker.service
Wants=network-online.target
Requires=docker.service

[Service]
Type=notify
ExecStart=/usr/local/bin/cri-dockerd \\
  --container-runtime-endpoint unix:///run/cri-dockerd.sock \\
  --network-plugin=kubenet \\
  --pod-infra-container-image=registry.k8s.io/pause:3.9
ExecReload=/bin/kill -s HUP $MAINPID
TimeoutSec=0
RestartSec=2
Restart=always
StartLimitBurst=3
StartLimitInterval=60s
LimitNOFILE=infinity
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Delegate=yes
KillMode=process

[Install]
WantedBy=multi-user.target
`;

/** The harness's boot unit (not part of the node's shape): eth0's address, cgroup v1 remount. */
export const HARNESS_SERVICE = `[Unit]
Description=flannel-to-calico test harness: node address and cgroups
DefaultDependencies=no
After=local-fs.target
Before=network.target network-online.target flanneld.service docker.service containerd.service cri-docker.service kubelet.service
Wants=network.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/opt/f2c/harness-boot

[Install]
WantedBy=multi-user.target network-online.target
`;

/** Debian's docker-registry, reachable only inside the node: docker pulls from 127.0.0.1 over plain HTTP. */
export const REGISTRY_CONFIG = `version: 0.1
storage:
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
`;
