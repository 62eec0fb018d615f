using System.Diagnostics;

namespace Backprop.MultiHost.Tests.Harness;

/// <summary>A short command (<c>ip</c>, <c>iptables</c>, <c>tc</c>) run to its end, with a bound on how long it may take.</summary>
internal static class Shell
{
    /// <summary>How long one such command may run: they only configure the kernel.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The outcome of one command.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public bool Succeeded => ExitCode == 0;
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; a program that is missing gives exit code 127.</summary>
    public static Result Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            return new Result(127, "", $"{file}: {error.Message}");
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{Describe(file, arguments)} still ran after {CommandTimeout}");
            }

            return new Result(process.ExitCode, output.Result, error.Result);
        }
    }

    /// <summary>Runs the command and throws, with its stderr, unless it succeeded.</summary>
    public static string Check(string file, params string[] arguments)
    {
        var result = Run(file, arguments);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{Describe(file, arguments)} exited with {result.ExitCode}: {result.Error.Trim()}");
        }

        return result.Output;
    }

    private static string Describe(string file, string[] arguments) => $"{file} {string.Join(' ', arguments)}";
}
