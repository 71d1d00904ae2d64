using System.Security.Cryptography;

namespace Orchestrator.Api.Hosting;

/// <summary>
/// The embedded mode's own secrets (the submission key, the development wallet): kept in the data folder, made on
/// first use, readable by this user only.
/// </summary>
static class DevelopmentSecrets
{
    public const string Folder = "data";

    /// <summary>Reads the file, or writes what <paramref name="create"/> makes; two hosts racing keep the first.</summary>
    public static byte[] ReadOrCreate(IHostEnvironment environment, string fileName, Func<byte[]> create)
    {
        var path = Path.Combine(environment.ContentRootPath, Folder, fileName);
        if (File.Exists(path))
            return File.ReadAllBytes(path);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var draft = $"{path}.{Guid.NewGuid():N}";
        var file = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var secret = create();
        using (var stream = new FileStream(draft, file))
            stream.Write(secret);
        CryptographicOperations.ZeroMemory(secret);
        try
        {
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
        }

        return File.ReadAllBytes(path);
    }
}
