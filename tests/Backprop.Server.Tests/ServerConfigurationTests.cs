using System.Collections;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;
using Microsoft.Extensions.Configuration;

namespace Backprop.Server.Tests;

public class ServerConfigurationTests
{
    /// <summary>The server's appsettings.json, copied next to the tests by the project reference.</summary>
    private static readonly string AppSettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");

    /// <summary>
    /// The host's sources in its order: appsettings.json, environment variables ("__" read as ":", as the
    /// environment provider does), then the command line.
    /// </summary>
    private static IConfiguration Configuration(IDictionary<string, string?>? environment = null, params string[] args) =>
        new ConfigurationBuilder()
            .AddJsonFile(AppSettings, optional: false)
            .AddInMemoryCollection((environment ?? new Dictionary<string, string?>())
                .Select(pair => KeyValuePair.Create(pair.Key.Replace("__", ":", StringComparison.Ordinal), pair.Value)))
            .AddCommandLine(args)
            .Build();

    /// <summary>A configuration with one key (':'-separated) and nothing else.</summary>
    private static IConfiguration Only(string key, string value) =>
        new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(key, value)]).Build();

    /// <summary>The Cluster section as bound (no value checks, no certificate files read).</summary>
    private static ClusterOptions Bind(IDictionary<string, string?>? environment = null, params string[] args) =>
        ServerConfiguration.BindClusterOptions(Configuration(environment, args));

    /// <summary>The Cluster section as the server reads it, values validated and certificates read.</summary>
    private static ClusterOptions Read(IDictionary<string, string?>? environment = null, params string[] args) =>
        ServerConfiguration.ReadClusterOptions(Configuration(environment, args));

    [Fact]
    public void ReadClusterOptions_AppSettingsAlone_PinsEveryDefault()
    {
        var options = Bind();

        Assert.Equal("127.0.0.1", options.Hostname);
        Assert.Equal("", options.PublicHostname);
        Assert.Equal(4053, options.Port);
        Assert.Empty(options.SeedNodes);
        Assert.Equal(["coordinator"], options.Roles);
        Assert.Equal(0, options.WorkerThreads);
        Assert.Equal(65536, options.ChunkBytes);
        Assert.Equal(0, options.TensorLinkPort);
        Assert.Equal(TimeSpan.FromSeconds(30), options.TensorSendTimeout);
        Assert.Equal(1, options.MinWorkers);
        Assert.Equal(1, options.MaxConcurrentJobs);
        Assert.Equal(0, options.CheckpointEverySteps);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CheckpointInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), options.DownUnreachableAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CoordinatorLostAfter);
        Assert.Equal(TimeSpan.FromMinutes(5), options.StallTimeout);
        Assert.True(options.Tls.Enabled);
    }

    [Fact]
    public void ReadTrainerOptions_AppSettingsAlone_PinsEveryDefault()
    {
        var options = ServerConfiguration.ReadTrainerOptions(Configuration());

        Assert.Equal("data", options.DataRoot);
        Assert.Equal("", options.Token);
        Assert.Equal(10, options.AuthFailuresPerAddress);
        Assert.Equal(TimeSpan.FromMinutes(1), options.AuthFailureWindow);
        Assert.Equal(100, options.AuthFailuresLogged);
        Assert.Equal(50_000_000, options.MaxParameters);
        Assert.Equal(1L << 30, options.MaxUploadBytes);
        Assert.Equal(1000, options.MaxQueuedJobs);
        Assert.Equal(10_000, options.MaxPredictRows);
    }

    [Theory]
    [InlineData("Trainer__MaxQueuedJobs", "0", "Trainer:MaxQueuedJobs: must be > 0, got 0")]
    [InlineData("Trainer__MaxUploadBytes", "lots", "Trainer:MaxUploadBytes: 'lots' is not a whole number")]
    [InlineData("Trainer__Tokn", "x", "Trainer:Tokn: unknown setting")]
    [InlineData("Trainer__DataRoot", " ", "Trainer:DataRoot: is empty")]
    [InlineData("Trainer__AuthFailuresPerAddress", "0", "Trainer:AuthFailuresPerAddress: must be > 0, got 0")]
    [InlineData("Trainer__AuthFailureWindow", "00:00:00", "Trainer:AuthFailureWindow: must be positive")]
    public void ReadTrainerOptions_BadValue_NamesTheSetting(string variable, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            ServerConfiguration.ReadTrainerOptions(Configuration(new Dictionary<string, string?> { [variable] = value })));

        Assert.StartsWith(expected, error.Message);
    }

    [Theory]
    [InlineData("Cluster__Tls__Enabled", "true", "Cluster:Tls:Certificate: is required with TLS on")]
    [InlineData("Cluster__Tls__Enabeld", "true", "Cluster:Tls:Enabeld: unknown setting")]
    [InlineData("Cluster__Tls__Enabled", "yes", "Cluster:Tls:Enabled: 'yes' is not")]
    public void ReadClusterOptions_BadTlsSetting_NamesIt(string variable, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, string?> { [variable] = value }));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void ReadClusterOptions_TlsWithAMissingFile_NamesTheSettingAndFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"backprop-{Guid.NewGuid():N}.crt");

        var error = Assert.Throws<ArgumentException>(() => Read(new Dictionary<string, string?>
        {
            ["Cluster__Tls__Enabled"] = "true",
            ["Cluster__Tls__Certificate"] = missing,
            ["Cluster__Tls__CaCertificate"] = missing,
        }));

        Assert.StartsWith($"Cluster:Tls:Certificate: cannot read '{missing}'", error.Message);
    }

    /// <summary>Every options class the server reads, with its section.</summary>
    public static TheoryData<Type, string> OptionsSections => new()
    {
        { typeof(ClusterOptions), ClusterOptions.Section },
        { typeof(Backprop.Server.Trainer.TrainerOptions), Backprop.Server.Trainer.TrainerOptions.Section },
        { typeof(ClusterTlsOptions), TlsSection },
    };

    private const string TlsSection = "Cluster:Tls";

    [Theory]
    [MemberData(nameof(OptionsSections))]
    public void AppSettings_Section_EqualsTheOptionsDefaults(Type optionsType, string section)
    {
        var configuration = Configuration();
        object options = section switch
        {
            ClusterOptions.Section => ServerConfiguration.BindClusterOptions(configuration),
            TlsSection => ServerConfiguration.BindClusterOptions(configuration).Tls,
            _ => ServerConfiguration.ReadTrainerOptions(configuration),
        };
        var defaults = Activator.CreateInstance(optionsType)!;

        // A nested section (Cluster:Tls) is compared in its own row.
        foreach (var property in ServerConfiguration.SettingsOf(optionsType).Where(p => p.PropertyType != typeof(ClusterTlsOptions)))
        {
            var expected = property.GetValue(defaults);
            var actual = property.GetValue(options);
            if (expected is IEnumerable list and not string)
            {
                Assert.Equal(list.Cast<object>(), ((IEnumerable)actual!).Cast<object>());
            }
            else
            {
                Assert.True(Equals(expected, actual), $"{property.Name}: appsettings.json has {actual}, {optionsType.Name} {expected}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(OptionsSections))]
    public void AppSettings_Section_ListsEverySettingOfItsOptions(Type optionsType, string section)
    {
        var keys = new ConfigurationBuilder().AddJsonFile(AppSettings).Build()
            .GetSection(section).GetChildren().Select(setting => setting.Key);
        var settings = ServerConfiguration.SettingsOf(optionsType).Select(p => p.Name);

        Assert.Equal(settings.Order(), keys.Order());
    }

    [Theory]
    [MemberData(nameof(OptionsSections))]
    public void ServerDoc_SettingsTable_NamesEverySettingAndItsVariable(Type optionsType, string section)
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repository.FullName, "Backprop.Distributed.sln")))
        {
            repository = repository.Parent ?? throw new InvalidOperationException("no Backprop.Distributed.sln above the tests");
        }

        var doc = File.ReadAllText(Path.Combine(repository.FullName, "docs", "server.md"));

        foreach (var property in ServerConfiguration.SettingsOf(optionsType))
        {
            Assert.Contains($"| `{property.Name}` | `{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}", doc);
        }
    }

    [Fact]
    public void ReadClusterOptions_NoClusterSection_UsesClusterOptionsDefaults()
    {
        var options = ServerConfiguration.BindClusterOptions(new ConfigurationBuilder().Build());

        Assert.Equal(["coordinator"], options.Roles);
        Assert.Equal(4053, options.Port);
    }

    [Fact]
    public void ReadClusterOptions_RoleFromEnvironment_ReplacesTheDefaultRole()
    {
        var options = Bind(new Dictionary<string, string?> { ["Cluster__Roles__0"] = "worker" });

        Assert.Equal(["worker"], options.Roles);
        Assert.False(options.IsCoordinator);
    }

    [Fact]
    public void ReadClusterOptions_TwoRolesFromEnvironment_GivesBoth()
    {
        var options = Bind(new Dictionary<string, string?> { ["Cluster__Roles__0"] = "worker", ["Cluster__Roles__1"] = "coordinator" });

        Assert.Equal(["worker", "coordinator"], options.Roles);
    }

    [Fact]
    public void ReadClusterOptions_RoleWithoutAppSettings_ReplacesTheDefaultRole()
    {
        Assert.Equal(["worker"], ServerConfiguration.BindClusterOptions(Only("Cluster:Roles:0", "worker")).Roles);
    }

    [Fact]
    public void GetClusterOptions_PlainBinder_AppendsListToTheDefault()
    {
        // Why ReadClusterOptions sets the lists itself: the binder keeps the property's initial items.
        var options = Only("Cluster:Roles:0", "worker").GetSection(ClusterOptions.Section).Get<ClusterOptions>()!;

        Assert.Equal(["coordinator", "worker"], options.Roles);
    }

    [Fact]
    public void ReadClusterOptions_SeedNodesFromEnvironment_AreReadInIndexOrder()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Cluster__SeedNodes__1"] = "akka.tcp://backprop@coordinator-b:4053",
            ["Cluster__SeedNodes__0"] = "akka.tcp://backprop@coordinator-a:4053",
        });

        Assert.Equal(["akka.tcp://backprop@coordinator-a:4053", "akka.tcp://backprop@coordinator-b:4053"], options.SeedNodes);
    }

    [Fact]
    public void ReadClusterOptions_EveryValueFromEnvironment_OverridesAppSettings()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Cluster__Hostname"] = "0.0.0.0",
            ["Cluster__PublicHostname"] = "worker-3",
            ["Cluster__Port"] = "4060",
            ["Cluster__WorkerThreads"] = "3",
            ["Cluster__ChunkBytes"] = "65536",
            ["Cluster__MinWorkers"] = "2",
            ["Cluster__MaxConcurrentJobs"] = "4",
            ["Cluster__DownUnreachableAfter"] = "00:01:30",
        });

        Assert.Equal("0.0.0.0", options.Hostname);
        Assert.Equal("worker-3", options.PublicHostname);
        Assert.Equal(4060, options.Port);
        Assert.Equal(3, options.WorkerThreads);
        Assert.Equal(65536, options.ChunkBytes);
        Assert.Equal(2, options.MinWorkers);
        Assert.Equal(4, options.MaxConcurrentJobs);
        Assert.Equal(TimeSpan.FromSeconds(90), options.DownUnreachableAfter);
    }

    [Fact]
    public void ReadClusterOptions_CommandLine_OverridesEnvironment()
    {
        var options = Bind(new Dictionary<string, string?> { ["Cluster__Port"] = "4060" }, "--Cluster:Port=4070");

        Assert.Equal(4070, options.Port);
    }

    [Fact]
    public void ReadClusterOptions_KeyInOtherCase_IsRead()
    {
        var options = Bind(new Dictionary<string, string?> { ["CLUSTER__PORT"] = "4060", ["cluster__roles__0"] = "worker" });

        Assert.Equal(4060, options.Port);
        Assert.Equal(["worker"], options.Roles);
    }

    [Fact]
    public void ReadClusterOptions_EmptyListValue_KeepsTheDefault()
    {
        var options = Bind(new Dictionary<string, string?> { ["Cluster__SeedNodes"] = "" });

        Assert.Empty(options.SeedNodes);
    }

    [Theory]
    [InlineData("urls", "http://127.0.0.1:5005")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Grpc:Url", "http://0.0.0.0:5005")]
    public void ListensForHttp_EndpointConfigured_IsTrue(string key, string value) =>
        Assert.True(ServerConfiguration.ListensForHttp(Only(key, value)));

    [Fact]
    public void ListensForHttp_AppSettingsAlone_IsFalse() =>
        Assert.False(ServerConfiguration.ListensForHttp(Configuration()));
}
