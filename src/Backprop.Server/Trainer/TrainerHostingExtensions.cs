using Backprop.Server.Jobs;
using Backprop.Server.Storage;
using TrainerGrpc = Backprop.Protocol.V1.Trainer;

namespace Backprop.Server.Trainer;

/// <summary>The wiring of the Trainer gRPC service on a coordinator node, shared by the executable and the tests.</summary>
internal static class TrainerHostingExtensions
{
    /// <summary>
    /// Largest message a client may send (an upload chunk, a Predict batch). Predict's row limit keeps its inputs
    /// below this for any network under the parameter limit that has fewer than about 1,600 inputs per row.
    /// </summary>
    public const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Adds the service, its interceptor, the count of failed authentications, the job service over the data volume,
    /// its health status and reflection (the health service itself is every HTTP node's: <see cref="NodeHealth"/>).
    /// </summary>
    public static IServiceCollection AddTrainerService(this IServiceCollection services, TrainerOptions options)
    {
        services.AddSingleton(options);
        // Created on first use (the job service's recovery at start), so that building a host touches no disk.
        services.AddSingleton(_ => new DataRoot(options.DataRoot));
        services.AddSingleton(provider => new JobStore(
            provider.GetRequiredService<DataRoot>(), problem => provider.GetRequiredService<ILogger<JobStore>>().LogError("{Problem}", problem)));
        services.AddSingleton(provider => new UploadStore(provider.GetRequiredService<DataRoot>(), options.MaxUploadBytes));
        services.AddSingleton<AuthenticationFailures>();
        services.AddSingleton<DatasetResolver>();
        services.AddSingleton<JobService>();
        services.AddSingleton<IJobService>(provider => provider.GetRequiredService<JobService>());
        services.AddHostedService<JobRecovery>();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = MaxReceiveMessageBytes;
            grpc.Interceptors.Add<RejectionInterceptor>();
        });
        // The overall status ("") and the Trainer service's both follow the node's membership.
        services.AddHealthOfService(TrainerGrpc.Descriptor.FullName);
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>
    /// Maps the Trainer service and server reflection, behind the bearer-token check when <see cref="TrainerOptions.Token"/>
    /// is set (middleware: it runs before a request's body is decoded).
    /// </summary>
    public static WebApplication MapTrainerService(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TrainerOptions>().Token.Length > 0)
        {
            app.UseMiddleware<BearerTokenMiddleware>();
        }

        app.MapGrpcService<TrainerService>();
        app.MapGrpcReflectionService();
        return app;
    }
}
