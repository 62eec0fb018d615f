using Backprop.Server;

// One binary for every node: its roles and cluster settings come from appsettings.json, environment variables
// (Cluster__Roles__0=worker) and the command line (--Cluster:Port=4054); see docs/server.md.
// `backprop-server --health-check [URL]` probes a node instead (container health checks).
return HealthProbe.IsRequested(args)
    ? await HealthProbe.RunAsync(args, Environment.GetEnvironmentVariable, Console.Out, Console.Error)
    : await BackpropServer.RunAsync(args, Console.Error);
