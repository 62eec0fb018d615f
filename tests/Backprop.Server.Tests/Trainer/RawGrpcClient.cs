using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Backprop.Server.Tests.Trainer;

/// <summary>
/// A gRPC client that knows only the wire: HTTP/2 requests with length-prefixed frames built by hand, so that it can
/// send bytes no generated client would, and read the status from the response's headers or trailers.
/// </summary>
internal sealed class RawGrpcClient(string address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Bytes that are no protobuf message: tag zero, then a varint that never ends.</summary>
    public static readonly byte[] Garbage = [0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>A gRPC message frame: compressed flag 0, the payload's length big-endian, the payload.</summary>
    public static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>Calls <paramref name="path"/> ("/backprop.v1.Trainer/SubmitJob") with <paramref name="body"/>; returns the grpc-status.</summary>
    public Task<int> CallAsync(string path, byte[] body, string? token = null) => CallAsync(path, new ByteArrayContent(body), token);

    /// <summary>Calls <paramref name="path"/> with <paramref name="content"/> as the request's body; returns the grpc-status.</summary>
    public async Task<int> CallAsync(string path, HttpContent content, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A trailers-only response carries the status in its headers; any other in its trailers, after the body.
        if (!response.Headers.TryGetValues("grpc-status", out var status))
        {
            await response.Content.ReadAsByteArrayAsync();
            Assert.True(response.TrailingHeaders.TryGetValues("grpc-status", out status), "the response has no grpc-status");
        }

        return int.Parse(status.Single(), CultureInfo.InvariantCulture);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A request body that sends a frame's header announcing <see cref="Length"/> bytes, then nothing more until cancelled.</summary>
internal sealed class StalledFrameContent : HttpContent
{
    /// <summary>The length the frame announces.</summary>
    public const int Length = 1 << 20;

    /// <summary>Completed when the body has been abandoned: the stream was reset or the request cancelled.</summary>
    public TaskCompletionSource Abandoned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), Length);
        await stream.WriteAsync(header, cancellationToken);
        await stream.FlushAsync(cancellationToken);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            Abandoned.TrySetResult();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
