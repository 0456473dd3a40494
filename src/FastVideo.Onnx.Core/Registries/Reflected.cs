using System.Reflection;
using System.Runtime.ExceptionServices;

namespace FastVideo.Onnx.Core.Registries;

/// <summary>
/// Calls into the types a registry resolved (their constructors and static abstract members, through generic methods),
/// letting the callee's own exception through: a config field a constructor rejects is what the user needs to see, not
/// a <see cref="TargetInvocationException"/> around it.
/// </summary>
internal static class Reflected
{
    /// <summary>A new <paramref name="type"/> from the public constructor that takes <paramref name="args"/>.</summary>
    public static object Create(Type type, params object?[] args) => Unwrapped(() => Activator.CreateInstance(type, args)!);

    /// <summary>Invokes <paramref name="constructor"/> with <paramref name="args"/>.</summary>
    public static object Create(ConstructorInfo constructor, params object?[] args) => Unwrapped(() => constructor.Invoke(args));

    /// <summary>The private static generic method <paramref name="name"/> of <paramref name="owner"/>, closed over <paramref name="typeArgument"/>, invoked.</summary>
    public static object InvokeGeneric(Type owner, string name, Type typeArgument, params object?[] args)
    {
        var method = owner.GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(typeArgument);
        return Unwrapped(() => method.Invoke(null, args)!);
    }

    static object Unwrapped(Func<object> call)
    {
        try
        {
            return call();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
