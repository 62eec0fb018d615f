using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Backprop.Cluster.Security;
using Backprop.Core;

namespace Backprop.Cli.Certs;

/// <summary>
/// <c>backprop certs init --out DIR</c> creates a cluster CA; <c>backprop certs node --ca DIR --name NAME</c> issues a node
/// certificate from it. Files are PEM; keys are readable by their owner only.
/// </summary>
internal static class CertsCommand
{
    private const int DefaultCaDays = 3650;
    private const int DefaultNodeDays = 825;

    public static Command Create(TextWriter output) =>
        new("certs", "Create the cluster's certificates for mutual TLS between nodes (Cluster__Tls__*).")
        {
            Init(output),
            Node(output),
        };

    private static Command Init(TextWriter output)
    {
        var outDirectory = new Option<string>("--out") { Description = "Directory for ca.crt and ca.key", Required = true };
        var name = new Option<string>("--name") { Description = "The CA's common name", DefaultValueFactory = _ => "Backprop cluster CA" };
        var days = DaysOption(DefaultCaDays);
        var command = new Command("init", "Create a cluster CA (ca.crt, ca.key); give ca.crt to every node, keep ca.key safe.") { outDirectory, name, days };
        command.SetAction(parsed =>
        {
            var directory = parsed.GetValue(outDirectory)!;
            var certificate = Path.Combine(directory, ClusterCertificateAuthority.CertificateFile);
            if (File.Exists(certificate))
            {
                throw new InvalidInputException($"--out: {directory} already holds a CA ({certificate}); nodes trust it, so it is not replaced");
            }

            using var authority = ClusterCertificateAuthority.Create(parsed.GetValue(name)!, Days(parsed.GetValue(days)));
            Write(() => authority.Save(directory), directory);
            output.WriteLine($"cluster CA '{authority.Certificate.Subject}' written to {certificate} and its key to {Path.Combine(directory, ClusterCertificateAuthority.KeyFile)}");
            return BackpropCli.Success;
        });
        return command;
    }

    private static Command Node(TextWriter output)
    {
        var ca = new Option<string>("--ca") { Description = "The CA directory of certs init", Required = true };
        var name = new Option<string>("--name") { Description = "The node's name (common name and first DNS name); files NAME.crt and NAME.key", Required = true };
        var dns = new Option<string[]>("--dns") { Description = "More DNS names of the node", AllowMultipleArgumentsPerToken = true };
        var ip = new Option<string[]>("--ip") { Description = "IP addresses of the node", AllowMultipleArgumentsPerToken = true };
        var outDirectory = new Option<string?>("--out") { Description = "Directory for the files (default: the CA directory)" };
        var days = DaysOption(DefaultNodeDays);
        var command = new Command("node", "Issue a node certificate from the cluster CA.") { ca, name, dns, ip, outDirectory, days };
        command.SetAction(parsed =>
        {
            var caDirectory = parsed.GetValue(ca)!;
            var nodeName = parsed.GetValue(name)!;
            if (nodeName.Length == 0 || nodeName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                throw new InvalidInputException($"--name: '{nodeName}' cannot name the node's files");
            }

            var addresses = (parsed.GetValue(ip) ?? []).Select(ParseAddress).ToList();
            using var authority = LoadAuthority(caDirectory);
            using var certificate = authority.Issue(nodeName, parsed.GetValue(dns) ?? [], addresses, Days(parsed.GetValue(days)));
            var directory = parsed.GetValue(outDirectory) ?? caDirectory;
            Write(() => ClusterCertificateAuthority.WritePem(certificate, directory, $"{nodeName}.crt", $"{nodeName}.key"), directory);
            output.WriteLine($"node certificate '{certificate.Subject}' written to {Path.Combine(directory, nodeName + ".crt")} and its key to {Path.Combine(directory, nodeName + ".key")}");
            return BackpropCli.Success;
        });
        return command;
    }

    private static Option<int> DaysOption(int defaultDays) =>
        new("--days") { Description = "Days the certificate is valid", DefaultValueFactory = _ => defaultDays };

    private static TimeSpan Days(int days) =>
        days is >= 1 and <= 36500 ? TimeSpan.FromDays(days) : throw new InvalidInputException($"--days: must be 1..36500, got {days}");

    private static IPAddress ParseAddress(string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new InvalidInputException($"--ip: '{text}' is not an IP address");

    private static ClusterCertificateAuthority LoadAuthority(string directory)
    {
        try
        {
            return ClusterCertificateAuthority.Load(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new InvalidInputException($"--ca: cannot read the CA in {directory} ({ClusterCertificateAuthority.CertificateFile}, {ClusterCertificateAuthority.KeyFile}): {e.Message}");
        }
    }

    private static void Write(Action write, string directory)
    {
        try
        {
            write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"--out: cannot write to {directory}: {e.Message}");
        }
    }
}
