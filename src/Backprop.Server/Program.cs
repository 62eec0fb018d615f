using Backprop.Server;

// One binary for every node: its roles and cluster settings come from appsettings.json, environment variables
// (Cluster__Roles__0=worker) and the command line (--Cluster:Port=4054); see docs/server.md.
return await BackpropServer.RunAsync(args, Console.Error);
