using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Backprop.Cluster.Hosting;
using Backprop.Cluster.Security;
using Backprop.Server.Trainer;

namespace Backprop.Server;

/// <summary>
/// Reads the node's settings from the host's configuration: appsettings.json, then environment variables
/// (<c>Cluster__Port=4054</c>), then the command line (<c>--Cluster:Port=4054</c>), each overriding the one before.
/// </summary>
internal static class ServerConfiguration
{
    /// <summary>Reads and validates every section of the node's settings (see <see cref="ReadClusterOptions"/>).</summary>
    public static ServerSettings Read(IConfiguration configuration) =>
        new(ReadClusterOptions(configuration), ReadTrainerOptions(configuration));

    /// <summary>
    /// Binds and validates the <c>Cluster</c> section. Throws <see cref="ArgumentException"/> naming the first bad
    /// key, how to fix it and its environment variable: an unknown key (a typo would otherwise be ignored), a
    /// value of the wrong type, a list written as one value, or a value <see cref="ClusterOptions.Validate"/> rejects.
    /// </summary>
    public static ClusterOptions ReadClusterOptions(IConfiguration configuration)
    {
        var options = BindClusterOptions(configuration);
        options.Validate();
        if (options.Tls.Enabled)
        {
            // Read now, so that an unreadable file is a configuration error (exit 2), not a failed start.
            ClusterCertificates.Load(options.Tls).Dispose();
        }

        return options;
    }

    /// <summary>
    /// Binds the <c>Cluster</c> section with the key checks of <see cref="ReadClusterOptions"/>, without validating the
    /// values or reading certificate files.
    /// </summary>
    public static ClusterOptions BindClusterOptions(IConfiguration configuration) =>
        ReadSection<ClusterOptions>(configuration, ClusterOptions.Section);

    /// <summary>Binds and validates the <c>Trainer</c> section, with the errors of <see cref="ReadClusterOptions"/>.</summary>
    public static TrainerOptions ReadTrainerOptions(IConfiguration configuration)
    {
        var options = ReadSection<TrainerOptions>(configuration, TrainerOptions.Section);
        options.Validate();
        return options;
    }

    /// <summary>The settings of an options class: its properties with a setter.</summary>
    public static PropertyInfo[] SettingsOf(Type options) =>
        [.. options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)];

    private static T ReadSection<T>(IConfiguration configuration, string name)
        where T : class, new()
    {
        var section = configuration.GetSection(name);
        var settings = SettingsOf(typeof(T));
        var defaults = new T();
        foreach (var setting in section.GetChildren())
        {
            CheckSetting(setting, settings, defaults);
        }

        var options = section.Get<T>() ?? new T();

        // The binder appends a list's items to the property's initial value, so Cluster__Roles__0=worker would
        // give [coordinator, worker]. A list that configuration sets replaces the default instead.
        foreach (var list in settings.Where(p => p.PropertyType == typeof(string[])))
        {
            list.SetValue(options, ListOrDefault(section, list.Name, (string[])list.GetValue(defaults)!));
        }

        return options;
    }

    /// <summary>
    /// Whether an HTTP endpoint is configured: <c>ASPNETCORE_URLS</c> / <c>--urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>,
    /// <c>ASPNETCORE_HTTPS_PORTS</c> or a <c>Kestrel:Endpoints</c> entry. Without one the node serves no HTTP
    /// (Kestrel would otherwise listen on localhost:5000, and a second node on the machine could not start).
    /// </summary>
    public static bool ListensForHttp(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["urls"])
        || !string.IsNullOrWhiteSpace(configuration["http_ports"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();

    private static void CheckSetting(IConfigurationSection setting, PropertyInfo[] settings, object defaults)
    {
        var property = settings.FirstOrDefault(p => string.Equals(p.Name, setting.Key, StringComparison.OrdinalIgnoreCase))
            ?? throw ClusterOptions.Problem(setting.Path, "unknown setting", $"the settings are {string.Join(", ", settings.Select(p => p.Name))}");
        var isList = property.PropertyType == typeof(string[]);
        var items = setting.GetChildren().ToList();
        if (IsSection(property.PropertyType))
        {
            // A nested section (Cluster:Tls): its keys are checked the same way.
            var nestedDefaults = property.GetValue(defaults)!;
            var nestedSettings = SettingsOf(property.PropertyType);
            foreach (var item in items)
            {
                CheckSetting(item, nestedSettings, nestedDefaults);
            }

            return;
        }

        if (isList)
        {
            // An empty value is an empty list: appsettings.json's [] reads as "".
            if (!string.IsNullOrEmpty(setting.Value))
            {
                throw ClusterOptions.Problem(setting.Path, $"is a list, got the single value '{setting.Value}'", $"set one item per key, e.g. {EnvironmentVariable(setting.Path)}__0={setting.Value}");
            }

            var badIndex = items.FirstOrDefault(item => !int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
            if (badIndex is not null)
            {
                throw ClusterOptions.Problem(badIndex.Path, "a list item's key must be its index", $"e.g. {EnvironmentVariable(setting.Path)}__0");
            }

            return;
        }

        if (items.Count > 0 || setting.Value is null)
        {
            throw ClusterOptions.Problem(setting.Path, "must be a single value, not a list or section", $"the default is {DefaultOf(property, defaults)}");
        }

        if (property.PropertyType == typeof(string))
        {
            return;
        }

        try
        {
            TypeDescriptor.GetConverter(property.PropertyType).ConvertFromInvariantString(setting.Value);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            throw ClusterOptions.Problem(setting.Path, $"'{setting.Value}' is not {KindOf(property.PropertyType)}", $"the default is {DefaultOf(property, defaults)}");
        }
    }

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string) && !type.IsArray;

    private static string[] ListOrDefault(IConfigurationSection section, string key, string[] defaultValue) =>
        section.GetSection(key).Get<string[]>() is { Length: > 0 } list ? list : defaultValue;

    private static string KindOf(Type type) =>
        type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(TimeSpan) ? "a duration written hh:mm:ss"
        : $"a {type.Name}";

    private static string DefaultOf(PropertyInfo property, object defaults) =>
        property.GetValue(defaults) switch
        {
            string[] list => $"[{string.Join(", ", list)}]",
            "" => "empty",
            TimeSpan duration => duration.ToString("c", CultureInfo.InvariantCulture),
            var value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

    private static string EnvironmentVariable(string path) => path.Replace(":", "__", StringComparison.Ordinal);
}
