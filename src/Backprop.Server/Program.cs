using Backprop.Server;

// One binary for every node: its roles and cluster settings come from appsettings.json, environment variables
// (Cluster__Roles__0=worker) and the command line (--Cluster:Port=4054); see docs/server.md.
// `backprop-server --health-check [URL]` probes a node instead (container health checks), and
// `backprop-server --init-certs CERTS CA` fills a deployment's certificate folders (docker-compose.yml's certs service).
if (CertificateSetup.IsRequested(args))
{
    return CertificateSetup.Run(args, Console.Out, Console.Error);
}

return HealthProbe.IsRequested(args)
    ? await HealthProbe.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error)
    : await BackpropServer.RunAsync(args, Console.Error);
