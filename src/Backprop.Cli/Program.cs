using Backprop.Cli;

return BackpropCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsOutputRedirected);
